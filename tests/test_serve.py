"""``keras-gans serve`` through its HTTP API (urllib against 127.0.0.1), on
every backend: each page's result equals the CLI's output pixel for pixel,
bad uploads get their message and the next request works, nothing outside
the server's temporary folder is served, jobs queue one at a time."""

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

pytest.importorskip("starlette", reason="keras-gans serve needs the 'serve' extra (starlette, uvicorn)")
pytest.importorskip("uvicorn", reason="keras-gans serve needs the 'serve' extra (starlette, uvicorn)")

from serve_files import bad_files, cli, photo, pixels, png16  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve_files")
    return {"photo": photo(folder / "photo.png"), "folder": folder, "bad": bad_files(folder),
            "png16": png16(folder / "grey16.png")}


@pytest.fixture(scope="module")
def server():
    from keras_gans.serve import create_app, start

    app = create_app(max_mb=2, max_megapixels=16)
    url, stop = start(app)
    yield url, app.state.service
    stop()
    assert not app.state.service.folder.exists(), "the temporary folder outlives the server"


def request(url, path, body=None, method="GET"):
    """(status, JSON or bytes) of one request."""
    req = urllib.request.Request(url + path, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, data, kind = r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        status, data, kind = e.code, e.read(), e.headers.get("content-type", "")
    return status, json.loads(data) if kind.startswith("application/json") else data


def submit(url, kind, entry, file=None, **params):
    query = urllib.parse.urlencode({"kind": kind, "entry": entry, **params,
                                    **({"filename": file.name} if file else {})})
    return request(url, f"/api/jobs?{query}", body=file.read_bytes() if file else b"", method="POST")


def finished(url, job, timeout=300):
    """The job's last status, once it is done or failed."""
    deadline = time.monotonic() + timeout
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        status, job = request(url, f"/api/jobs/{job['id']}")
        assert status == 200
    return job


def result(url, kind, entry, file=None, **params):
    """Submit a job, wait for it, return its result's pixels."""
    status, job = submit(url, kind, entry, file, **params)
    assert status == 202, job
    job = finished(url, job)
    assert job["state"] == "done", job["error"]
    status, png = request(url, job["files"]["result"])
    assert status == 200
    return pixels(png)


def test_entries_found_by_kind_with_their_cards(server):
    from keras_gans import zoo

    status, info = request(server[0], "/api/entries")
    assert status == 200
    kinds = {k["name"]: {e["name"]: e for e in k["entries"]} for k in info["kinds"]}
    assert {n: sorted(v) for n, v in kinds.items()} == {
        "generate": ["cdcgan_mnist", "dcgan_flowers64", "dcgan_mnist"],
        "translate": ["cyclegan_apple2orange", "pix2pix_edges2flowers"],
        "upscale": ["srgan_x4", "srresnet_x4"],
    }
    assert info["limits"] == {"max_mb": 2, "max_megapixels": 16}
    card, config = kinds["upscale"]["srresnet_x4"]["card"], zoo.info("srresnet_x4")
    assert (card["summary"], card["data"], card["licence"], card["limits"]) == (
        config["summary"], config["data"], config["licence"], config["limits"])
    assert ["Set5 psnr", config["metrics"]["Set5"]["psnr"]] in card["metrics"]
    fields = {f["name"]: f for f in kinds["generate"]["cdcgan_mnist"]["fields"]}
    assert [v for v, _ in fields["label"]["options"]] == [""] + [str(d) for d in range(10)]
    assert "label" not in {f["name"] for f in kinds["generate"]["dcgan_mnist"]["fields"]}
    assert [v for v, _ in kinds["translate"]["cyclegan_apple2orange"]["fields"][0]["options"]] == ["a2b", "b2a"]


def test_generate_equals_the_cli(server, tmp_path):
    url = server[0]
    got = result(url, "generate", "dcgan_mnist", n=5, seed=11)
    ref = cli("generate", "dcgan_mnist", "-n", 5, "--seed", 11, "-o", tmp_path / "g.png")
    assert got.shape == ref.shape == (62, 92) and np.array_equal(got, ref)
    got = result(url, "generate", "cdcgan_mnist", n=3, seed=2, label=7)
    ref = cli("generate", "cdcgan_mnist", "-n", 3, "--seed", 2, "--label", 7, "-o", tmp_path / "c.png")
    assert np.array_equal(got, ref)


def test_translate_equals_the_cli(server, files, tmp_path):
    got = result(server[0], "translate", "cyclegan_apple2orange", files["photo"], direction="b2a", size=64)
    ref = cli("translate", "cyclegan_apple2orange", files["photo"], "--direction", "b2a", "--size", 64,
              "-o", tmp_path / "t.png")
    assert got.shape == ref.shape == (48, 64, 3) and np.array_equal(got, ref)
    got = result(server[0], "translate", "cyclegan_apple2orange", files["photo"])  # full size, the default
    ref = cli("translate", "cyclegan_apple2orange", files["photo"], "-o", tmp_path / "full.png")
    assert got.shape == ref.shape == (48, 64, 3) and np.array_equal(got, ref)
    status, body = submit(server[0], "translate", "cyclegan_apple2orange", files["photo"], size=5000)
    assert (status, body["error"]) == (400, "resolution (longer side, px) must be between 0 and 4096; got 5000.")


def test_upscale_equals_the_cli(server, files, tmp_path):
    got = result(server[0], "upscale", "srresnet_x4", files["photo"])
    ref = cli("upscale", "srresnet_x4", files["photo"], "-o", tmp_path / "u.png")
    assert got.shape == ref.shape == (192, 256, 3) and np.array_equal(got, ref)


def test_bad_uploads_get_their_message_and_the_next_request_works(server, files, tmp_path):
    url = server[0]
    for name, (path, message) in files["bad"].items():
        status, body = submit(url, "upscale", "srresnet_x4", path)
        assert status == 400 and body["error"].startswith(message), (name, body)
        assert str(server[1].folder) not in body["error"]
    big = tmp_path / "big.png"
    big.write_bytes(b"\0" * 2_500_000)
    status, body = submit(url, "upscale", "srresnet_x4", big)
    assert (status, body["error"]) == (
        413, "big.png is 2.5 MB; this server takes uploads up to 2 MB (keras-gans serve --max-mb).")
    status, body = submit(url, "upscale", "srresnet_x4", None)
    assert (status, body["error"]) == (400, "No image was sent: choose a file for the upscale page.")
    status, body = submit(url, "generate", "dcgan_mnist", n=0)
    assert (status, body["error"]) == (400, "samples must be between 1 and 256; got 0.")
    # a 16-bit PNG is read (as 8-bit grey) and gives the CLI's output
    got = result(url, "upscale", "srresnet_x4", files["png16"])
    ref = cli("upscale", "srresnet_x4", files["png16"], "-o", tmp_path / "g16.png")
    assert got.shape == ref.shape == (120, 160) and np.array_equal(got, ref)
    assert sorted(p.name for p in server[1].folder.iterdir()) == sorted(server[1].jobs), "a rejected upload was kept"


@pytest.mark.parametrize("path", [
    "/files/{id}/../../../../etc/passwd",
    "/files/{id}/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/files/{id}/%2e%2e/%2e%2e/etc/passwd",
    "/files/..%2F..%2Fetc/passwd",
    "/files/{id}/upload",
    "/files/{id}/",
    "/files/0123456789abcdef/result.png",
    "/../../etc/passwd",
    "/page.html",
    "/keras_gans/serve/app.py",
])
def test_no_file_outside_the_jobs_is_served(server, path):
    url, service = server
    job = next((j for j in service.jobs.values() if j.files), None)
    if job is None:  # this test alone: make one
        result(url, "generate", "dcgan_mnist", n=1, seed=0)
        job = next(j for j in service.jobs.values() if j.files)
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path.format(id=job.id))  # sent as written: no client-side normalisation
    r = conn.getresponse()
    body = r.read()
    conn.close()
    assert r.status in (400, 404) and b"root:" not in body


def test_jobs_queue_one_at_a_time():
    from keras_gans.serve.app import Service
    from keras_gans.serve.kinds import discover

    service = Service(discover(["dcgan_mnist"]))
    jobs = [service.new_job("generate", "dcgan_mnist", {"n": 1, "seed": s}, None) for s in range(3)]
    for j in jobs:
        service.submit(j)
    assert [service.status(j)["position"] for j in jobs] == [1, 2, 3]
    order = []
    run = service._run
    service._run = lambda job: (order.append((job.args["seed"], [j.state for j in jobs])), run(job))
    service.start()
    try:
        deadline = time.monotonic() + 120
        while any(j.state != "done" for j in jobs):
            assert time.monotonic() < deadline and not any(j.state == "error" for j in jobs)
            time.sleep(0.05)
    finally:
        service.stop()
    assert order == [(0, ["running", "queued", "queued"]), (1, ["done", "running", "queued"]),
                     (2, ["done", "done", "running"])]
    full = Service(discover(["dcgan_mnist"]), max_queued=2)
    for s in range(2):
        full.submit(full.new_job("generate", "dcgan_mnist", {"n": 1, "seed": s}, None))
    with pytest.raises(RuntimeError, match="^2 jobs are waiting already; try again in a minute.$"):
        full.new_job("generate", "dcgan_mnist", {"n": 1, "seed": 2}, None)
    full.stop()


def test_upscale_reports_each_tile():
    import keras

    from keras_gans.srgan.upscale import upscale_images

    inp = keras.Input((None, None, 3))
    gen = keras.Model(inp, keras.layers.UpSampling2D(2)(inp) * 2.0 - 1.0)
    calls = []
    out = upscale_images(gen, np.zeros((10, 25, 3), np.uint8), 2, tile=8, overlap=1,
                         progress=lambda i, n: calls.append((i, n)))
    assert out.shape == (20, 50, 3)
    assert calls == [(i, 8) for i in range(1, 9)]  # 2 rows x 4 columns of tiles
    calls.clear()
    upscale_images(gen, np.zeros((2, 6, 6, 3), np.uint8), 2, progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 2), (2, 2)]


def test_serve_command_errors(capsys):
    from keras_gans.cli import main

    assert main(["serve", "lenet_mnist"]) == 1
    err = capsys.readouterr().err
    assert "'lenet_mnist' is a model entry (" in err and "serve offers entries that generate, translate, upscale" in err
    assert main(["serve", "official:apple2orange"]) == 1
    assert "official:apple2orange: not in the cache of official files" in capsys.readouterr().err
    assert main(["serve", "--max-mb", "0"]) == 1
    assert "--max-mb must be positive; got 0." in capsys.readouterr().err
    from keras_gans.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.entries) == ("127.0.0.1", 7860, [])


def test_the_page_loads_nothing_from_elsewhere():
    import re
    from pathlib import Path

    import keras_gans.serve

    page = (Path(keras_gans.serve.__file__).parent / "page.html").read_text()
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert not re.search(r"https?://|@import|url\(", page)


def test_the_space_folder(tmp_path, monkeypatch):
    """spaces/app.py --export writes a Space that runs on its own copy of
    keras_gans and of the served zoo entries."""
    import importlib.util
    import os
    import subprocess
    import sys

    import keras
    from conftest import REPO

    monkeypatch.setattr(sys, "path", list(sys.path))
    for var in ("KERAS_GANS_ZOO", "KERAS_BACKEND"):
        monkeypatch.setenv(var, os.environ.get(var, ""))
    spec = importlib.util.spec_from_file_location("space_app", REPO / "spaces" / "app.py")
    space = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(space)
    out = tmp_path / "space"
    entries = space.export(out)
    assert entries == ["cdcgan_mnist", "cyclegan_apple2orange", "dcgan_flowers64", "dcgan_mnist",
                       "pix2pix_edges2flowers", "srgan_x4", "srresnet_x4"]
    assert sorted(p.name for p in (out / "zoo").iterdir()) == entries
    for name in entries:
        assert (out / "zoo" / name / "model.weights.h5").read_bytes() == (REPO / "zoo" / name / "model.weights.h5").read_bytes()
    assert (out / "keras_gans" / "serve" / "page.html").is_file() and not list(out.rglob("__pycache__"))
    front = (out / "README.md").read_text().split("---\n")[1]
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
    assert (meta["sdk"], meta["app_port"]) == ("docker", "7860")
    pins = dict(line.split("==") for line in (out / "requirements.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    constraints = dict(line.split("==") for line in (REPO / "requirements" / "constraints.txt").read_text().split())
    assert {k.split("[")[0]: v for k, v in pins.items()} == {k.split("[")[0]: constraints[k.split("[")[0]]
                                                            for k in pins}
    assert "*.h5 filter=lfs" in (out / ".gitattributes").read_text()
    with pytest.raises(FileExistsError, match="is not empty"):
        space.export(out)
    if keras.backend.backend() != "jax":
        return  # the Space runs on JAX: its start is checked in that pass
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_GANS_ZOO")}
    proc = subprocess.run([sys.executable, str(out / "app.py"), "--check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [
        f"keras_gans from {out / 'keras_gans'}",
        "generate: cdcgan_mnist, dcgan_flowers64, dcgan_mnist",
        "translate: cyclegan_apple2orange, pix2pix_edges2flowers",
        "upscale: srgan_x4, srresnet_x4",
    ]


def test_a_cached_official_generator_gets_on_the_translate_page(files, tmp_path, monkeypatch):
    """``official:NAME`` files in the cache are found (a small random generator
    in the authors' layout stands in for the published one) and translate as
    ``keras-gans translate official:NAME`` does."""
    torch = pytest.importorskip("torch", reason="the stand-in official file is written with torch.save")
    from cyclegan.cyclegan_torch import torch_generator

    from keras_gans.cyclegan import official_cyclegan_path
    from keras_gans.serve import create_app, discover, start

    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path))
    path = official_cyclegan_path("horse2zebra")
    path.parent.mkdir(parents=True)
    torch.save(torch_generator().state_dict(), path)
    app = create_app(["official:horse2zebra", "srresnet_x4"])
    url, stop = start(app)
    try:
        status, info = request(url, "/api/entries")
        (entry,) = [e for k in info["kinds"] if k["name"] == "translate" for e in k["entries"]]
        assert entry["name"] == "official:horse2zebra" and entry["fields"][0]["options"] == [["a2b", "A -> B"]]
        assert [e.name for e in discover()["translate"]] == ["cyclegan_apple2orange", "pix2pix_edges2flowers",
                                                             "official:horse2zebra"]
        got = result(url, "translate", "official:horse2zebra", files["photo"], size=32)
        status, body = submit(url, "translate", "official:horse2zebra", files["photo"], direction="b2a")
        assert (status, body["error"]) == (400, "direction must be one of a2b; got 'b2a'.")
    finally:
        stop()
    ref = cli("translate", "official:horse2zebra", files["photo"], "--size", 32, "-o", tmp_path / "o.png")
    assert got.shape == ref.shape == (48, 64, 3) and np.array_equal(got, ref)


def test_a_cached_official_pix2pix_generator_gets_its_modes(files, tmp_path, monkeypatch):
    """pix2pix's published files share the translate page through the one
    table of official names (``official:pix2pix/sat2map``: CycleGAN's authors
    publish a sat2map too): one direction, its native size by default, the
    mode and the dropout seed, each result equal to ``keras-gans translate``'s."""
    torch = pytest.importorskip("torch", reason="the stand-in official file is written with torch.save")
    from pix2pix.pix2pix_torch import torch_unet

    from keras_gans.pix2pix import official_pix2pix_path
    from keras_gans.serve import create_app, start

    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path))
    path = official_pix2pix_path("sat2map")
    path.parent.mkdir(parents=True)
    torch.save(torch_unet("batch", 5).state_dict(), path)  # unet_32 with dropout off (5 levels), batch norm
    app = create_app(["official:pix2pix/sat2map"])
    url, stop = start(app)
    try:
        status, info = request(url, "/api/entries")
        (entry,) = [e for k in info["kinds"] if k["name"] == "translate" for e in k["entries"]]
        fields = {f["name"]: f for f in entry["fields"]}
        assert entry["name"] == "official:pix2pix/sat2map" and "pix2pix (Isola et al. 2017)" in entry["card"]["summary"]
        assert fields["direction"]["options"] == [["a2b", "A -> B"]] and fields["size"]["default"] == 256
        assert fields["mode"]["default"] == "authors" and fields["seed"]["default"] == 0
        evaluated = result(url, "translate", "official:pix2pix/sat2map", files["photo"], size=64, mode="eval")
        authors = result(url, "translate", "official:pix2pix/sat2map", files["photo"], size=64, seed=3)
    finally:
        stop()
    spec = "official:pix2pix/sat2map"
    ref = cli("translate", spec, files["photo"], "--size", 64, "--mode", "eval", "-o", tmp_path / "e.png")
    assert evaluated.shape == (48, 64, 3) and np.array_equal(evaluated, ref)
    ref = cli("translate", spec, files["photo"], "--size", 64, "--seed", 3, "-o", tmp_path / "a.png")
    assert np.array_equal(authors, ref) and not np.array_equal(authors, evaluated)


def test_the_upscale_page_reports_tiles(tmp_path):
    """What a long job shows: the upscale kind's steps for a photo of two 192 px tiles
    (streamed layer by layer: each layer's tiles count, 1 .. N in order)."""
    from keras_gans.serve.kinds import discover, kind

    (entry,) = discover(["srresnet_x4"])["upscale"]
    upscale = kind("upscale")
    steps = []
    src = photo(tmp_path / "wide.png", 200, 20)
    info = upscale.run(upscale.load(entry), entry, {}, src, tmp_path / "out.png", steps.append)
    assert info == "200x20 -> 800x80 px"
    n = int(steps[-1].rsplit(" ", 1)[1])
    assert n > 2 and steps == [f"tile {i} of {n}" for i in range(1, n + 1)]
