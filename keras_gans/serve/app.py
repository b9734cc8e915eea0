"""The web app of ``keras-gans serve``: one page, a JSON API and a job queue.

    GET  /                      the page (page.html: no external resource)
    GET  /api/entries           the kinds, their entries, short cards, form fields and upload limits
    POST /api/jobs?kind=K&entry=E&filename=F&FIELD=VALUE...
                                body: the image file as it is (none for generate);
                                202 {"id", "state", "position"}, or 400/413/503 {"error"}
    GET  /api/jobs/{id}         {"state": queued|running|done|error, "position", "progress",
                                 "error", "info", "files": {"input", "result"}}
    GET  /files/{id}/{name}     a job's input.png / result.png, nothing else

One worker thread runs the jobs one at a time, in the order they came; the
models it loaded stay cached. Uploads are checked before they are queued:
size (``max_mb``), then the header's pixel count (``max_megapixels``), then a
full decode (``keras_gans.images``), each failure a message naming the file
and what was wrong. Every file the server writes lies in its own temporary
folder (removed at shutdown); ``/files`` serves only the files of known jobs.
"""

import collections
import contextlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.routing import Route

from keras_gans.serve import kinds as kinds_module

PAGE = Path(__file__).with_name("page.html")


class Job:
    def __init__(self, kind, entry, args, filename, folder):
        self.id = secrets.token_hex(8)
        self.kind, self.entry, self.args, self.filename = kind, entry, args, filename
        self.folder = folder / self.id
        self.folder.mkdir()
        self.state, self.progress, self.error, self.info = "queued", "", None, None
        self.files = {}
        self.seconds = None

    def path(self, name):
        return self.folder / name


class Service:
    """The entries, the job queue and its worker thread, the temporary folder."""

    def __init__(self, entries, max_mb=20.0, max_megapixels=16.0, max_queued=16, keep=32, folder=None):
        self.entries = entries  # {kind: [Entry]}
        self.max_mb, self.max_megapixels, self.max_queued, self.keep = max_mb, max_megapixels, max_queued, keep
        self.folder = Path(folder or tempfile.mkdtemp(prefix="keras-gans-serve-")).resolve()
        self.jobs = collections.OrderedDict()
        self.waiting = collections.deque()
        self.cond = threading.Condition()
        self.models = collections.OrderedDict()  # (kind, entry) -> model, the last 4 used
        self.thread = None
        self.stopping = False

    # ------------------------------------------------------------ lifecycle
    def start(self):
        self.thread = threading.Thread(target=self._work, name="keras-gans-serve-worker", daemon=True)
        self.thread.start()

    def stop(self):
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        if self.thread is not None:
            self.thread.join(timeout=5)  # a running job cannot be interrupted; the thread is a daemon
        shutil.rmtree(self.folder, ignore_errors=True)

    # --------------------------------------------------------------- lookup
    def find(self, kind, name):
        for e in self.entries.get(kind, []):
            if e.name == name:
                return e
        offered = ", ".join(e.name for e in self.entries.get(kind, [])) or "none"
        raise ValueError(f"{name!r} is not on the {kind} page of this server (it offers: {offered}).")

    def describe(self):
        return {
            "kinds": [
                {"name": k.name, "title": k.title, "view": k.view, "upload": k.upload,
                 "entries": [e.describe() for e in self.entries[k.name]]}
                for k in kinds_module.KINDS if k.name in self.entries
            ],
            "limits": {"max_mb": self.max_mb, "max_megapixels": self.max_megapixels},
        }

    # ----------------------------------------------------------------- jobs
    def new_job(self, kind, entry, args, filename):
        with self.cond:
            if len(self.waiting) >= self.max_queued:
                raise QueueFull(f"{len(self.waiting)} jobs are waiting already; try again in a minute.")
            job = Job(kind, entry, args, filename, self.folder)
            self.jobs[job.id] = job
            self._forget_old()
        return job

    def submit(self, job):
        with self.cond:
            self.waiting.append(job)
            self.cond.notify_all()

    def drop(self, job):
        with self.cond:
            self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def _forget_old(self):
        finished = [j for j in self.jobs.values() if j.state in ("done", "error")]
        for j in finished[: max(0, len(self.jobs) - self.keep)]:
            del self.jobs[j.id]
            shutil.rmtree(j.folder, ignore_errors=True)

    def status(self, job):
        out = {"id": job.id, "state": job.state, "progress": job.progress, "error": job.error,
               "info": job.info, "seconds": job.seconds,
               "files": {k: f"/files/{job.id}/{v}" for k, v in job.files.items()}}
        if job.state == "queued":
            with self.cond:
                queued = [j for j in self.waiting if j.state == "queued"]
                out["position"] = next((i + 1 for i, j in enumerate(queued) if j is job), None)
        return out

    def _model(self, kind, entry):
        key = (kind.name, entry.name)
        if key not in self.models:
            self.models[key] = kind.load(entry)
            while len(self.models) > 4:
                self.models.popitem(last=False)
        self.models.move_to_end(key)
        return self.models[key]

    def _work(self):
        while True:
            with self.cond:
                while not self.waiting and not self.stopping:
                    self.cond.wait()
                if self.stopping:
                    return
                job = self.waiting[0]
                job.state = "running"
            self._run(job)
            with self.cond:
                self.waiting.popleft()

    def _run(self, job):
        kind = kinds_module.kind(job.kind)
        entry = self.find(job.kind, job.entry)
        start = time.perf_counter()

        def progress(text):
            job.progress = text

        try:
            if (entry.kind, entry.name) not in self.models:
                progress(f"loading {entry.name}")
            model = self._model(kind, entry)
            src = job.path("upload") if kind.upload else None
            job.info = kind.run(model, entry, job.args, src, job.path("result.png"), progress)
            job.files["result"] = "result.png"
            state = "done"
        except Exception as e:  # noqa: BLE001  (any failure is the job's message; the worker goes on)
            job.error = _clean(f"{type(e).__name__}: {e}" if not isinstance(e, ValueError) else str(e), job)
            state = "error"
        job.progress, job.seconds = "", round(time.perf_counter() - start, 2)
        job.state = state  # last: a client that reads "done" finds everything else set


class QueueFull(RuntimeError):
    pass


def _clean(message, job):
    """A message without the server's temporary paths: the file is named as
    the user named it."""
    return message.replace(str(job.path("upload")), job.filename or "the upload").replace(str(job.folder), "")


def _error(message, status=400):
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request, limit, filename):
    """``(body, None)``, or ``(None, error response)`` when the body is larger
    than ``limit`` bytes: the rest is read and dropped (up to 10 x ``limit``)
    so that the client, still sending, gets the answer rather than a reset
    connection."""
    declared = request.headers.get("content-length", "")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > 10 * limit:
            break
    if size <= limit:
        return b"".join(chunks), None
    got = int(declared) if declared.isdigit() else size
    return None, _error(
        f"{filename} is {'more than ' if got == size and size > 10 * limit else ''}{got / 1e6:.1f} MB; this "
        f"server takes uploads up to {limit / 1e6:g} MB (keras-gans serve --max-mb).", 413)


def _check_upload(service, job):
    """Pixel count from the header, then a full decode (through
    keras_gans.images); writes the browser-viewable ``input.png``. Returns an
    error message or None."""
    from keras_gans.images import ImageReadError, image_size, open_image

    path = job.path("upload")
    try:
        w, h = image_size(path)
        if w * h > service.max_megapixels * 1e6:
            return (f"{job.filename} is {w}x{h} px = {w * h / 1e6:.1f} megapixels; this server takes "
                    f"images up to {service.max_megapixels:g} megapixels (keras-gans serve "
                    "--max-megapixels): resize it first.")
        im = open_image(path)
    except ImageReadError as e:
        return _clean(str(e), job) + " Upload a PNG, JPEG, BMP, WebP or TIFF image."
    im.save(job.path("input.png"))  # the upload as the browser can show it (16-bit, TIFF, ...)
    job.files["input"] = "input.png"
    return None


def create_app(entries=None, max_mb=20.0, max_megapixels=16.0, folder=None):
    """The Starlette app serving ``entries``: None for every entry some kind
    offers, a list of names, or ``kinds.discover()``'s ``{kind: [Entry]}``.
    Its ``state.service`` holds the queue."""
    if not isinstance(entries, dict):
        entries = kinds_module.discover(entries)
    service = Service(entries, max_mb=max_mb, max_megapixels=max_megapixels, folder=folder)

    async def page(request):
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    async def entries_(request):
        return JSONResponse(service.describe())

    async def submit(request):
        q = request.query_params
        filename = os.path.basename(q.get("filename") or "the upload")[:200]
        try:
            kind = kinds_module.kind(q.get("kind", ""))
            entry = service.find(kind.name, q.get("entry", ""))
            args = kind.parse(entry, q)
        except ValueError as e:
            return _error(str(e))
        body = None
        if kind.upload:
            body, err = await _read_body(request, int(service.max_mb * 1e6), filename)
            if err is not None:
                return err
            if not body:
                return _error(f"No image was sent: choose a file for the {kind.name} page.")
        try:
            job = service.new_job(kind.name, entry.name, args, filename)
        except QueueFull as e:
            return _error(str(e), 503)
        if body is not None:
            job.path("upload").write_bytes(body)
            message = await run_in_threadpool(_check_upload, service, job)
            if message:
                service.drop(job)
                return _error(message)
        service.submit(job)
        return JSONResponse(service.status(job), status_code=202)

    async def job_status(request):
        job = service.jobs.get(request.path_params["id"])
        if job is None:
            return _error("No such job (the server keeps the last jobs only).", 404)
        return JSONResponse(service.status(job))

    async def job_file(request):
        job = service.jobs.get(request.path_params["id"])
        name = request.path_params["name"]
        if job is None or name not in job.files.values():
            return _error("Not found.", 404)
        path = job.path(name).resolve()
        if path.parent != job.folder.resolve() or service.folder not in path.parents or not path.is_file():
            return _error("Not found.", 404)
        return FileResponse(path, media_type="image/png")

    async def not_found(request, exc):
        return _error("Not found.", getattr(exc, "status_code", 404))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/api/entries", entries_),
            Route("/api/jobs", submit, methods=["POST"]),
            Route("/api/jobs/{id}", job_status),
            Route("/files/{id}/{name}", job_file),
        ],
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def run(app, host="127.0.0.1", port=7860):
    """Serve ``app`` with uvicorn until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")


def start(app, host="127.0.0.1", port=0, timeout=60.0):
    """Serve ``app`` from a background thread (a notebook, a test); ``port``
    0 picks a free one. Returns ``(url, stop)``: ``stop()`` shuts the server
    down and waits for it."""
    import socket

    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="keras-gans-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"keras-gans serve did not start on {host}:{sock.getsockname()[1]}.")
        time.sleep(0.02)
    port = sock.getsockname()[1]

    def stop():
        server.should_exit = True
        thread.join(timeout)
        sock.close()

    return f"http://{'[' + host + ']' if ':' in host else host}:{port}", stop
