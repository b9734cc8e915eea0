# keras_gans: one venv (.venv) with all three backends.
#   make demo   install, then run the main job (offline, on the shipped zoo weights)
#   make test   install, then run the tests once per backend
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
BACKENDS ?= tensorflow jax torch
export KERAS_BACKEND ?= jax
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: install demo ring test test-one clean

install: $(VENV)/.installed

# torch first, pinned: 2.13.0 is a local CPU wheel here; anything that pulls torch
# before it would fetch a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements/constraints.txt -e ".[tensorflow,jax,torch,images,dev,tfds,onnx,serve,hub]"
	touch $@

# the main job: sample the shipped zoo weights (offline) into PNG grids
demo: install
	$(BIN)/keras-gans zoo list
	$(BIN)/keras-gans demo --out outputs

# train a small GAN from scratch (about 20 s on a 2-core CPU)
ring: install
	$(BIN)/python examples/ring_of_gaussians.py --out outputs

# Each backend's pass runs on TEST_WORKERS pytest-xdist workers of one compute thread each
# (a test file stays on one worker, so a module's fixture is built once): on 2 cores this
# keeps both busy (one process with 2 threads used ~1.2 cores: compiles, Python, small ops).
TEST_WORKERS ?= 2
ONE_THREAD := OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
	XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
test: install
	@status=0; times=""; all0=$$(date +%s); for b in $(BACKENDS); do \
	  echo "== KERAS_BACKEND=$$b"; t0=$$(date +%s); \
	  KERAS_BACKEND=$$b $(ONE_THREAD) $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) \
	    --dist loadfile --durations=15 $(PYTEST_ARGS) || status=1; \
	  times="$$times $$b $$(( $$(date +%s) - t0 )) s;"; \
	done; echo "== pass times:$$times all $$(( $$(date +%s) - all0 )) s ($$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"; \
	exit $$status

test-one: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) outputs .pytest_cache
