"""What the benchmark scripts share: the machine's description, the commit,
worker subprocesses that answer in JSON lines, thread limits, peak memory
and timing summaries. No Keras and no torch here: the native workers import
it too."""

import gc
import json
import os
import platform
import re
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def json_lines(proc, cmd):
    """The JSON objects a finished worker printed (one per line starting
    with ``{``); a failed worker is an error with the end of its stderr."""
    if proc.returncode != 0:
        raise RuntimeError(f"failed ({' '.join(map(str, cmd))}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return [json.loads(s) for s in proc.stdout.splitlines() if s.startswith("{")]


def json_line(proc, cmd):
    """The last JSON object a finished worker printed."""
    return json_lines(proc, cmd)[-1]


def git_commit(repo=REPO):
    try:
        return subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def cpu_info():
    """Model name, family / model numbers, the vector and matrix extensions
    that decide fp32 and bf16 speed, the clock and the cores this process may use."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags, fields, mhz = set(), {}, []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "flags" and not flags:
            flags = set(value.split())
        elif key in ("model name", "cpu family", "model") and key not in fields:
            fields[key] = value.strip()
        elif key == "cpu MHz":
            mhz.append(float(value))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": fields.get("model name") or platform.processor() or "unknown",
            "cpu_family": fields.get("cpu family", ""), "cpu_model": fields.get("model", ""),
            "avx2": "avx2" in flags, "fma": "fma" in flags, "avx512f": "avx512f" in flags,
            "avx512_bf16": "avx512_bf16" in flags, "amx": any(f.startswith("amx") for f in flags),
            "cores": cores, "ghz": round(max(mhz) / 1000, 3) if mhz else float("nan")}


def cpu_peak(fma_units=2):
    """fp32 peak of this CPU: cores x lanes x FMA units x 2 FLOP x clock."""
    info = cpu_info()
    lanes = 16 if info["avx512f"] else 8 if info["avx2"] and info["fma"] else 4
    peak = info["cores"] * lanes * fma_units * 2 * info["ghz"]
    return {**info, "fp32_lanes": lanes, "fma_units": fma_units, "peak_gflops": round(peak, 1),
            "isa": "avx512" if lanes == 16 else "avx2+fma" if lanes == 8 else "sse"}


# ------------------------------------------------------------------ threads
def thread_env(threads):
    """Environment for a worker limited to ``threads`` compute threads, in
    each framework's own terms (read when it starts)."""
    n = str(threads)
    env = {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "TF_NUM_INTRAOP_THREADS": n, "TF_NUM_INTEROP_THREADS": "1"}
    if threads == 1:  # XLA's CPU pool otherwise follows the CPUs the process may use (pin_threads)
        flags = os.environ.get("XLA_FLAGS", "")
        env["XLA_FLAGS"] = f"{flags} --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1".strip()
    return env


def pin_threads(threads):
    """Keep this process (and the threads it starts) on ``threads`` CPUs when
    it may use more: every framework then sizes its pools alike."""
    if hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if threads < len(cpus):
            os.sched_setaffinity(0, cpus[:threads])


# ------------------------------------------------------------------ memory
def _status_kb(field):
    try:
        return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))
    except (OSError, AttributeError):
        return None


def release_memory():
    """Give freed memory back to the system (Python's garbage, glibc's free
    lists), so that the next row starts from what is really in use."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def reset_peak_rss():
    """Release memory and restart the peak-RSS count (Linux: ``clear_refs``
    5 resets VmHWM); returns the RSS now, in bytes. Where it cannot be
    reset, ``peak_rss`` is the process's peak so far."""
    release_memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return (_status_kb("VmRSS") or 0) * 1024


def peak_rss():
    """Peak RSS (bytes) since the last ``reset_peak_rss``."""
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def time_summary(times, megapixels):
    """Median / min / max seconds per megapixel of ``times`` (seconds)."""
    per = [t / megapixels for t in times]
    return {"s_per_mp_median": statistics.median(per), "s_per_mp_min": min(per), "s_per_mp_max": max(per),
            "times_s": times}


class PeakMemory:
    """Peak RSS over a ``with`` block (warm-up and timed calls), from the RSS
    at its start: what a run needs, including what the framework's allocator
    keeps after the first call.

        with PeakMemory() as memory:
            ...
        row.update(memory.fields())
    """

    def __enter__(self):
        self.before = reset_peak_rss()
        return self

    def __exit__(self, *exc):
        self.peak = peak_rss()

    def fields(self):
        return {"peak_rss_mb": round(self.peak / 2**20, 1), "rss_before_mb": round(self.before / 2**20, 1)}


def timed_calls(fn, arg, repeats):
    """``fn(arg)`` ``repeats`` times (the caller has warmed it up): its last
    output and the seconds of each call."""
    out, times = None, []
    for _ in range(repeats):
        out = None  # the previous output is freed before the next call, as in a loop over files
        t0 = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - t0)
    return out, times


def check_close(what, got, want, tol, mean_tol=None):
    """Max |got - want| (float images in [0, 1]); an error naming ``what``
    when it exceeds ``tol`` (or the mean exceeds ``mean_tol``) or the shapes
    differ: a benchmark of a wrong network is worthless."""
    if got.shape != want.shape:
        raise AssertionError(f"{what}: output shape {got.shape}, native {want.shape}")
    err = abs(got.astype("float64") - want)
    diff, mean = float(err.max()), float(err.mean())
    if not (diff <= tol and (mean_tol is None or mean <= mean_tol)):
        raise AssertionError(f"{what}: max |ours - native| = {diff:.3g} (limit {tol}), mean {mean:.3g} (limit "
                             f"{mean_tol}) (images in [0, 1]): not the same network, weights or input; the timings "
                             "would mean nothing")
    return diff
