# The Convolutions workbook. `make help` lists the targets.
#
# Everything runs inside .venv, created from the pinned requirements on first
# use. The install step re-runs only when a requirements file or pyproject.toml
# changes (a stamp file records the last install), so repeated calls are fast.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-installed
HOST ?= 127.0.0.1
PORT ?= 8888
JOBS ?= 2
PIP_LOG := $(VENV)/pip-install.log

# nbval compares every lesson's outputs with the stored ones; loadfile keeps a
# notebook's cells on one worker (they share one kernel).
NBVAL_ARGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
LESSONS = $(wildcard notebooks/[0-9][0-9]_*.ipynb)

.PHONY: help install lab test test-unit test-notebooks execute student figures bench bench-widgets clean-venv site slides

help:
	@echo "make lab        set up (first time only), copy new lessons into my-work/ (yours; never replaced)"
	@echo "                and open your copy of lesson 00 in JupyterLab"
	@echo "make test       set up and run every test: unit, property, hygiene and nbval of each lesson"
	@echo "make execute    re-run every lesson top to bottom in a fresh kernel and store its outputs"
	@echo "                (one lesson: make execute LESSON=00_getting_started); then refreshes its student copy"
	@echo "make student    regenerate notebooks/student/ (solutions replaced by '# your code here')"
	@echo "make figures    redraw every figure and animation in images/ from course_utils code"
	@echo "make bench      time course_utils against PyTorch, SciPy, MXNet and JAX (BENCH_ARGS=--quick for a short run)"
	@echo "make bench-widgets  time the explorer and the playground: control change to new picture"
	@echo "make site       the learner site, offline, from the executed lessons: build/site/index.html"
	@echo "make slides     reveal.js slides of every lesson for instructors, offline: build/slides/index.html"
	@echo "make install    only create/update .venv"
	@echo "make clean-venv delete .venv"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "The course needs Python 3.11 (MXNet 1.9.1 and the pinned wheels); $(PYTHON) is " + sys.version.split()[0] + ". Run make with PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

# PYTORCH_CPU_INDEX=1 takes torch from PyTorch's CPU-only wheel index. PyPI's Linux torch wheel is
# the CUDA build (about 2.7 GB of wheels with its NVIDIA libraries); the index's 2.13.0+cpu satisfies
# the torch==2.13.0 pin, and pip prefers it over PyPI's 2.13.0 because a local version (+cpu) sorts
# higher. An extra index (not --index-url) because a requirements file cannot give one package its own
# index, and the other pins still come from PyPI. Off by default: this machine's and CI's pip
# configuration already supply the CPU build.
PYTORCH_CPU_INDEX_URL := https://download.pytorch.org/whl/cpu
ifneq ($(filter-out 0 1,$(PYTORCH_CPU_INDEX)),)
$(error PYTORCH_CPU_INDEX must be 1 (torch from PyTorch's CPU-only index) or 0; got "$(PYTORCH_CPU_INDEX)")
endif
TORCH_INDEX_ARGS = $(if $(filter 1,$(PYTORCH_CPU_INDEX)),--extra-index-url $(PYTORCH_CPU_INDEX_URL))

$(STAMP): $(PY) requirements.txt requirements-nodeps.txt pyproject.toml
	@echo "Installing the pinned packages into $(VENV) (a few minutes the first time; log: $(PIP_LOG)) ..."
	@$(PY) -m pip install $(TORCH_INDEX_ARGS) -r requirements.txt > $(PIP_LOG) 2>&1 || { tail -n 30 $(PIP_LOG); exit 1; }
	@$(PY) -m pip install --no-deps -r requirements-nodeps.txt >> $(PIP_LOG) 2>&1 || { tail -n 30 $(PIP_LOG); exit 1; }
	@$(PY) -m pip install --no-deps -e . >> $(PIP_LOG) 2>&1 || { tail -n 30 $(PIP_LOG); exit 1; }
	@# MXNet is imported only where pip installed it (requirements.txt: Linux x86_64 and aarch64).
	@$(PY) -c 'import importlib.util, numpy, torch, jax, flax.linen, course_utils; mxnet = "not installed (no wheel for this platform)" if importlib.util.find_spec("mxnet") is None else __import__("mxnet").__version__; print("installed: numpy", numpy.__version__, "| torch", torch.__version__, "| mxnet", mxnet, "| jax", jax.__version__)'
	@touch $@

install: $(STAMP)

lab: install
	@$(PY) tools/start_lab.py --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -n $(JOBS) --dist loadfile --doctest-modules course_utils tests $(NBVAL_ARGS) $(LESSONS)

test-unit: install
	$(PY) -m pytest -n $(JOBS) --dist loadfile --doctest-modules course_utils tests

test-notebooks: install
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL_ARGS) $(LESSONS)

execute: install
	$(PY) tools/execute_notebooks.py $(LESSON)
	$(PY) tools/make_student.py $(LESSON)

student: install
	$(PY) tools/make_student.py

figures: install
	$(PY) tools/make_figures.py

bench: install
	$(PY) -m course_utils.bench $(BENCH_ARGS)

bench-widgets: install
	$(PY) -m course_utils.widgets.bench

clean-venv:
	rm -rf $(VENV)

# The learner site (Jupyter Book v1) and the instructor slides (nbconvert + reveal.js), built
# from the stored lessons without re-running them. Their browser assets (MathJax, require.js,
# reveal.js, the widget manager) come from package.json via `npm ci` on first use, so these
# targets need Node.js and npm (Debian: apt-get install -y nodejs npm).
site: install
	$(PY) tools/build_site.py

slides: install
	$(PY) tools/slides.py
