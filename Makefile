# The Convolutions workbook. `make help` lists the targets.
#
# Everything runs inside .venv, created from the pinned requirements on first
# use. The install step re-runs only when a requirements file or pyproject.toml
# changes (a stamp file records the last install), so repeated calls are fast.
# Without make: python course.py <target> (py -3.11 course.py <target> on Windows).

# Every target runs `$(PYTHON) course.py <target>`: course.py (standard library only) creates
# .venv, installs the pins when a requirements file or pyproject.toml changed, then runs the
# target's commands, so `make lab` and `python course.py lab` take one path (Windows has no make).
# Once .venv exists its Python 3.11 runs course.py, so PYTHON matters only for the first install.
VENV_PYTHON := .venv/bin/python
PYTHON ?= $(if $(wildcard $(VENV_PYTHON)),$(VENV_PYTHON),python3)
COURSE = $(PYTHON) course.py
HOST ?= 127.0.0.1
PORT ?= 8888
JOBS ?= 2
# LESSON=00_getting_started (or several, space-separated) limits `make execute`; BENCH_ARGS go to the
# benchmark. PYTORCH_CPU_INDEX=1 takes torch from PyTorch's CPU-only wheel index (README: PyTorch CPU
# build); course.py refuses any value but 0 and 1. SKIP_INSTALL=1 uses .venv as it is (the lab test).
INSTALL_ARGS = $(if $(PYTORCH_CPU_INDEX),--pytorch-cpu-index $(PYTORCH_CPU_INDEX)) $(if $(filter 1,$(SKIP_INSTALL)),--skip-install)

.PHONY: help install lab test test-unit test-notebooks execute student figures bench bench-widgets clean-venv site slides assignments class-release class-link bench-class

help:
	@$(COURSE) help

install:
	@$(COURSE) install $(INSTALL_ARGS)

lab:
	@$(COURSE) lab $(INSTALL_ARGS) --host $(HOST) --port $(PORT)

test:
	@$(COURSE) test $(INSTALL_ARGS) --jobs $(JOBS)

test-unit:
	@$(COURSE) test-unit $(INSTALL_ARGS) --jobs $(JOBS)

test-notebooks:
	@$(COURSE) test-notebooks $(INSTALL_ARGS) --jobs $(JOBS)

execute:
	@$(COURSE) execute $(INSTALL_ARGS) $(addprefix --lesson ,$(LESSON))

student:
	@$(COURSE) student $(INSTALL_ARGS)

figures:
	@$(COURSE) figures $(INSTALL_ARGS)

bench:
	@$(COURSE) bench $(INSTALL_ARGS) -- $(BENCH_ARGS)

bench-widgets:
	@$(COURSE) bench-widgets $(INSTALL_ARGS)

clean-venv:
	@$(COURSE) clean-venv

# The learner site (Jupyter Book v1) and the instructor slides (nbconvert + reveal.js), built
# from the stored lessons without re-running them. Their browser assets (MathJax, require.js,
# reveal.js, the widget manager) come from package.json via `npm ci` on first use, so these
# targets need Node.js and npm (Debian: apt-get install -y nodejs npm).
site:
	@$(COURSE) site $(INSTALL_ARGS)

slides:
	@$(COURSE) slides $(INSTALL_ARGS)

# The classroom (classroom/README.md): nbgrader assignments from the lessons' exercises, the learner-only
# tree of a graded class, the nbgitpuller hand-out link (HUB=https://hub.example.org, optional REPO= and
# BRANCH=), and LEARNERS learners (default 4) running a lesson at once through a local JupyterHub.
assignments:
	@$(COURSE) assignments $(INSTALL_ARGS)

class-release:
	@$(COURSE) class-release $(INSTALL_ARGS)

class-link:
	@$(COURSE) class-link $(INSTALL_ARGS) $(if $(HUB),--hub $(HUB)) $(if $(REPO),--repo $(REPO)) $(if $(BRANCH),--branch $(BRANCH))

bench-class:
	@$(COURSE) bench-class $(INSTALL_ARGS) --learners $(or $(LEARNERS),4)
