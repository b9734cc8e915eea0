"""``kg.zoo.load("hf://owner/name")``: entries in Hugging Face hub repositories.

Never the network: a local double of the hub's file routes on 127.0.0.1
(``HEAD/GET /{repo}/resolve/{revision}/{file}`` with the headers the client
reads, weights redirected to a second "CDN" server as the hub does for LFS
files) and ``HF_ENDPOINT`` pointing at it; ``HF_HOME`` is a temporary folder.
"""

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import keras
import numpy as np
import pytest

import keras_gans as kg
from conftest import REPO

pytest.importorskip("huggingface_hub")
import huggingface_hub.constants as hf_constants  # noqa: E402
PIL = pytest.importorskip("PIL.Image")

COMMIT_A = hashlib.sha1(b"entry A").hexdigest()
COMMIT_B = hashlib.sha1(b"entry B").hexdigest()
COMMIT_Z = hashlib.sha1(b"zoo").hexdigest()
HF_KEYS = ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN",
           "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_ETAG_TIMEOUT", "HF_HUB_DISABLE_IMPLICIT_TOKEN")


# ------------------------------------------------------------------ entries
def _tiny_gan(seed):
    g = kg.architectures.dcgan_generator(8, 28, 1, 4, seed=seed)
    d = kg.architectures.dcgan_discriminator(28, 1, 4, seed=seed + 1)
    return kg.GAN(g, d, latent_dim=8, seed=0)


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    """Two tiny DCGAN entries with different weights, as ``kg.zoo.save`` writes them."""
    root = tmp_path_factory.mktemp("entries")
    card = {"task": "test", "preprocessing": {"image_size": 28, "channels": 1, "value_range": [-1, 1]}}
    return {k: kg.zoo.save(_tiny_gan(seed), root / k / "tiny", card=card) for k, seed in (("A", 0), ("B", 2))}


def _files(folder, prefix=""):
    return {prefix + p.name: p.read_bytes() for p in folder.iterdir()}


def _np(game):
    return keras.ops.convert_to_numpy(game.generate(4, seed=1))


# ------------------------------------------------------------------ the hub double
class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)

    def _send(self, status, headers=(), data=b"", body=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _answer(self, body):
        hub = self.server.hub
        hub.requests.append((self.command, self.path))
        parts = self.path.split("?")[0].split("/")
        if self.server is hub.cdn:
            data = hub.blobs.get(parts[-1])
            return self._send(200 if data else 404, [("ETag", f'"{parts[-1]}"')], data or b"", body)
        if len(parts) < 6 or parts[3] != "resolve":
            return self._send(404, data=b"not a route of this hub double", body=body)
        repo_id, revision, name = f"{parts[1]}/{parts[2]}", unquote(parts[4]), unquote("/".join(parts[5:]))
        repo = hub.repos.get(repo_id)
        if repo is None:
            return self._send(401, [("X-Error-Code", "RepoNotFound")], body=body)
        commit = repo["refs"].get(revision, revision if revision in repo["commits"] else None)
        if commit is None:
            return self._send(404, [("X-Error-Code", "RevisionNotFound")], body=body)
        data = repo["commits"][commit].get(name)
        if data is None:
            return self._send(404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)], body=body)
        if name.endswith(".h5"):  # an LFS file: the hub redirects to its storage, naming sha256 and size
            sha = hashlib.sha256(data).hexdigest()
            hub.blobs[sha] = data
            return self._send(302, [("Location", f"{hub.cdn_url}/{sha}"), ("X-Linked-Etag", f'"{sha}"'),
                                    ("X-Linked-Size", str(len(data))), ("X-Repo-Commit", commit)], body=body)
        etag = hashlib.sha1(data).hexdigest()
        self._send(200, [("ETag", f'"{etag}"'), ("X-Repo-Commit", commit)], data, body)


class HubDouble:
    def __init__(self, repos):
        self.repos, self.blobs, self.requests = repos, {}, []
        self.servers = []
        for _ in range(2):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.hub = self
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self.servers.append(server)
        self.endpoint = f"http://127.0.0.1:{self.servers[0].server_port}"
        self.cdn = self.servers[1]
        self.cdn_url = f"http://127.0.0.1:{self.cdn.server_port}/cdn"

    def file_requests(self):
        """The requests for repository files and blobs (not the client's own API calls)."""
        return [r for r in self.requests if not r[1].startswith("/api/")]

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.servers = []


@pytest.fixture
def hub(entries):
    a, b = _files(entries["A"]), _files(entries["B"])
    double = HubDouble({
        "test/tiny": {"refs": {"main": COMMIT_A, "v0": COMMIT_B}, "commits": {COMMIT_A: a, COMMIT_B: b}},
        "test/zoo": {"refs": {"main": COMMIT_Z}, "commits": {COMMIT_Z: {
            "README.md": b"entries", **_files(entries["A"], "tiny/"),
            "bare/config.json": a["config.json"], "bare/model.weights.h5": a["model.weights.h5"],  # no card
            "broken/config.json": a["config.json"]}}},  # no weights
    })
    yield double
    double.stop()


@pytest.fixture
def hf_env():
    """``use(home, endpoint, offline=False)``: the hub client configured as
    by these variables at start-up (it reads them once, into
    ``huggingface_hub.constants``); restored afterwards."""
    saved = {k: os.environ.get(k) for k in HF_KEYS}

    def use(home, endpoint, offline=False):
        for k in HF_KEYS:
            os.environ.pop(k, None)
        os.environ.update(HF_HOME=str(home), HF_ENDPOINT=endpoint, HF_HUB_DISABLE_TELEMETRY="1",
                          HF_HUB_DISABLE_IMPLICIT_TOKEN="1")
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
        importlib.reload(hf_constants)
        assert hf_constants.ENDPOINT == endpoint and hf_constants.HF_HUB_OFFLINE == offline

    yield use
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    importlib.reload(hf_constants)


# ------------------------------------------------------------------ tests
def test_load_from_the_hub_equals_the_local_entry(entries, hub, hf_env, tmp_path):
    hf_env(tmp_path / "hf", hub.endpoint)
    game = kg.zoo.load("hf://test/tiny")
    assert type(game) is kg.GAN
    expected = _np(kg.zoo.load(entries["A"]))
    np.testing.assert_array_equal(_np(game), expected)
    assert not np.allclose(_np(kg.zoo.load(entries["B"])), expected)  # the check can fail
    # the files are in the hub's standard cache, the weights fetched once from the "CDN"
    folder = tmp_path / "hf" / "hub" / "models--test--tiny" / "snapshots" / COMMIT_A
    assert sorted(p.name for p in folder.iterdir()) == ["MODEL_CARD.md", "config.json", "model.weights.h5"]
    sha = hashlib.sha256((entries["A"] / "model.weights.h5").read_bytes()).hexdigest()
    assert [r for r in hub.file_requests() if r[0] == "GET"] == [
        ("GET", "/test/tiny/resolve/main/config.json"), ("GET", f"/cdn/{sha}"),
        ("GET", f"/test/tiny/resolve/{COMMIT_A}/MODEL_CARD.md")]
    # a second look asks only whether main moved
    before = len(hub.file_requests())
    info = kg.zoo.info("hf://test/tiny")
    assert info["path"] == str(folder) and info["name"] == "tiny" and info["task"] == "test"
    assert info["sha256"] == sha
    assert hub.file_requests()[before:] == [("HEAD", "/test/tiny/resolve/main/config.json")]


def test_revision_and_sub_folder(entries, hub, hf_env, tmp_path):
    hf_env(tmp_path / "hf", hub.endpoint)
    a, b = _np(kg.zoo.load(entries["A"])), _np(kg.zoo.load(entries["B"]))
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/tiny@v0")), b)
    np.testing.assert_array_equal(_np(kg.zoo.load(f"hf://test/tiny@{COMMIT_A}")), a)
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/zoo/tiny")), a)
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/zoo/bare")), a)  # the card is optional
    assert kg.zoo.entry_path("hf://models/test/zoo/tiny/") == (
        tmp_path / "hf" / "hub" / "models--test--zoo" / "snapshots" / COMMIT_Z / "tiny")


def test_offline_and_unreachable_hub_load_from_the_cache(entries, hub, hf_env, tmp_path):
    hf_env(tmp_path / "hf", hub.endpoint)
    expected = _np(kg.zoo.load(entries["A"]))
    kg.zoo.load("hf://test/tiny")
    hub.stop()  # no hub: the client's request fails at once and it takes the cached commit of main
    t0 = time.perf_counter()
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/tiny")), expected)
    assert time.perf_counter() - t0 < 10
    hf_env(tmp_path / "hf", hub.endpoint, offline=True)
    asked = len(hub.requests)
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/tiny")), expected)
    np.testing.assert_array_equal(_np(kg.zoo.load(f"hf://test/tiny@{COMMIT_A}")), expected)
    assert len(hub.requests) == asked


def test_a_tampered_cached_file_is_refused(entries, hub, hf_env, tmp_path):
    hf_env(tmp_path / "hf", hub.endpoint)
    weights = kg.zoo.entry_path("hf://test/tiny") / "model.weights.h5"
    blob = weights.resolve()  # the snapshot's file links to the cache's blob
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.chmod(0o644)
    blob.write_bytes(bytes(data))
    repo_cache = tmp_path / "hf" / "hub" / "models--test--tiny"
    for offline in (False, True):
        hf_env(tmp_path / "hf", hub.endpoint, offline=offline)
        with pytest.raises(kg.zoo.ZooIntegrityError) as e:
            kg.zoo.load("hf://test/tiny")
        msg = str(e.value)
        assert f"Weights file {weights} has sha256" in msg
        assert f"the Hugging Face cache's copy of hf://test/tiny: delete {repo_cache}" in msg
    # the advice works: without the cached copy the entry downloads anew and loads
    hf_env(tmp_path / "hf", hub.endpoint)
    shutil.rmtree(repo_cache)
    np.testing.assert_array_equal(_np(kg.zoo.load("hf://test/tiny")), _np(kg.zoo.load(entries["A"])))


def test_clear_errors(hub, hf_env, tmp_path, monkeypatch):
    hf_env(tmp_path / "hf", hub.endpoint)
    with pytest.raises(kg.zoo.UnknownEntryError,
                       match=f"hub \\({hub.endpoint}\\) has no model repository 'test/nothing'.*HF_TOKEN"):
        kg.zoo.load("hf://test/nothing")
    with pytest.raises(kg.zoo.UnknownEntryError, match="repository 'test/tiny' has no revision 'v9'"):
        kg.zoo.load("hf://test/tiny@v9")
    with pytest.raises(kg.zoo.UnknownEntryError,
                       match="'hf://test/zoo' is not a keras_gans zoo entry: the hub repository 'test/zoo' has no "
                             "config.json"):
        kg.zoo.load("hf://test/zoo")
    with pytest.raises(kg.zoo.ZooIntegrityError,
                       match="Weights file missing: the hub repository 'test/zoo' has no broken/model.weights.h5"):
        kg.zoo.load("hf://test/zoo/broken")
    asked = len(hub.requests)
    for bad in ("hf://tiny", "hf://a/b/../c", "hf://datasets/test/tiny"):
        with pytest.raises(ValueError, match="hf://owner/name\\[@revision\\]"):
            kg.zoo.load(bad)
    assert len(hub.requests) == asked  # refused before asking
    # offline with nothing cached: names the entry, the cache, HF_HUB_OFFLINE and what to do
    hf_env(tmp_path / "empty", hub.endpoint, offline=True)
    with pytest.raises(FileNotFoundError) as e:
        kg.zoo.load("hf://test/tiny")
    assert str(e.value) == (
        f"hf://test/tiny: config.json is not in the Hugging Face cache ({tmp_path / 'empty' / 'hub'}) and "
        "HF_HUB_OFFLINE is set, so the hub was not asked. Load it once with network access (HF_HUB_OFFLINE "
        "unset) to cache it; later loads work offline. Or copy the entry folder here and load it by path.")
    assert len(hub.requests) == asked
    # no hub and nothing cached: said at once, not after the client's ~25 s of retries
    hf_env(tmp_path / "empty", hub.endpoint)
    hub.stop()
    t0 = time.perf_counter()
    with pytest.raises(FileNotFoundError, match=f"cache .* and the hub \\({hub.endpoint}\\) could not be reached"):
        kg.zoo.load("hf://test/tiny")
    assert time.perf_counter() - t0 < 5
    # without the client
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(ImportError, match='needs the huggingface_hub package: pip install "keras_gans\\[hub\\]"'):
        kg.zoo.load("hf://test/tiny")


def test_the_cli_loads_through_the_same_path(entries, hub, tmp_path):
    """``keras-gans generate hf://...`` in a fresh process configured by the
    environment alone (as a user's), into that HF_HOME."""
    from keras_gans import cli

    assert cli.main(["generate", str(entries["A"]), "-n", "4", "-o", str(tmp_path / "local.png")]) == 0
    env = {k: v for k, v in os.environ.items() if k not in HF_KEYS}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT=hub.endpoint, HF_HUB_DISABLE_TELEMETRY="1",
               HF_HUB_DISABLE_IMPLICIT_TOKEN="1", PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-m", "keras_gans.cli", "generate", "hf://test/tiny", "-n", "4", "-o",
         str(tmp_path / "hub.png")], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    np.testing.assert_array_equal(np.asarray(PIL.open(tmp_path / "hub.png")),
                                  np.asarray(PIL.open(tmp_path / "local.png")))
    assert (tmp_path / "hf" / "hub" / "models--test--tiny" / "snapshots" / COMMIT_A / "model.weights.h5").is_file()
