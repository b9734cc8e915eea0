"""``keras-gans serve``: try the zoo entries in a browser, on this machine.

    keras-gans serve                      # every entry; http://127.0.0.1:7860
    keras-gans serve srresnet_x4 dcgan_mnist --port 8000

    from keras_gans.serve import create_app, run, start
    run(create_app(), host="127.0.0.1", port=7860)       # blocks until Ctrl-C
    url, stop = start(create_app(["srresnet_x4"]))      # a free port, in a thread

One page with a tab per kind of entry (``kinds.py``: generate, translate,
upscale; entries found by what their model can do), each entry's card in
short, progress while a job runs, a queue of one job at a time, limits on
uploads. Results are written by the functions the ``keras-gans`` commands
call, so a downloaded result equals the command's output pixel for pixel.

Why Starlette + uvicorn and a plain HTML page, not Gradio (measured on the
project's 2-core CPU, Python 3.11, 2026-12):

- install: ``pip install keras_gans[serve]`` adds starlette 1.10.0 and
  uvicorn 0.55.0 (with anyio, click, h11): 4.6 MB, 6.3 s into the project
  venv (2.3 s into an empty one). ``gradio`` 6.31 pulls 52 packages,
  367 MB (gradio itself 83 MB, pandas 84 MB), 37.5 s into an empty venv;
  and it pins ``pillow<13``: under the project's constraints
  (pillow 13.0.0) pip falls back to gradio 3.18 of 2023.
- import: starlette + uvicorn 0.25 s, gradio 6.7-7.1 s.
- start: ``keras-gans serve`` answers 5.1 s after it is launched in a
  fresh venv with ``keras_gans[serve,jax]`` (installed in 66 s); 7.2 s
  (JAX), 13.0 s (TensorFlow), 15.7 s (torch) in the project's venv, on a
  machine loaded by two training runs. Models load on their first job.
- offline: the page is one file with no external script, font or style
  sheet, and the server makes no outgoing request (Gradio fetches fonts and
  sends analytics unless told not to); the browser test checks that every
  request the page makes goes to the server.
- tests: plain HTTP (urllib) drives the whole API, and a real headless
  Chromium drives the page.

A Hugging Face Space runs the same app (``spaces/``, Docker SDK).
"""

from keras_gans.serve.app import create_app, run, start
from keras_gans.serve.kinds import KINDS, Entry, Kind, discover

__all__ = ["create_app", "run", "start", "discover", "KINDS", "Kind", "Entry"]
