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
	$(BIN)/pip install -q -c requirements/constraints.txt -e ".[tensorflow,jax,torch,images,dev,tfds]"
	touch $@

# the main job: sample the shipped zoo weights (offline) into PNG grids
demo: install
	$(BIN)/keras-gans zoo list
	$(BIN)/keras-gans generate dcgan_mnist -n 64 -o outputs/dcgan_mnist.png --seed 0 --overwrite
	$(BIN)/keras-gans generate cdcgan_mnist -n 64 -o outputs/cdcgan_mnist_3.png --label 3 --seed 0 --overwrite
	$(BIN)/keras-gans generate dcgan_flowers64 -n 64 -o outputs/dcgan_flowers64.png --seed 0 --overwrite
	$(BIN)/python examples/demo_images.py outputs
	$(BIN)/keras-gans upscale srresnet_x4 outputs/astronaut_lr.png -o outputs/astronaut_x4.png --overwrite
	@if [ -f outputs/apple.jpg ]; then $(BIN)/keras-gans translate cyclegan_apple2orange outputs/apple.jpg -o outputs/apple_as_orange.png --overwrite; fi
	@echo "outputs written to ./outputs"

# train a small GAN from scratch (about 20 s on a 2-core CPU)
ring: install
	$(BIN)/python examples/ring_of_gaussians.py --out outputs

test: install
	@status=0; for b in $(BACKENDS); do \
	  echo "== KERAS_BACKEND=$$b"; \
	  KERAS_BACKEND=$$b $(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS) || status=1; \
	done; exit $$status

test-one: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) outputs .pytest_cache
