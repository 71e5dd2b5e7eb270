# Two commands do all set-up on a fresh machine (Python 3.10+ and make):
#   make docs    build the site into site/ with fresh results (FRESH=1 re-runs every block)
#   make test    install everything, build the site strictly, run the whole test suite
# and `make serve` previews the site with live reload.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dlref-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifeq ($(FRESH),1)
export DLREF_FRESH := 1
endif

.PHONY: install data system-deps docs serve test test-fast bench-build gpu-data gpu-check clean FORCE

# torch: this machine keeps torch 2.14.1 / torchvision 0.29.1 wheels on local disk (pip's cap
# lives in /etc/xdg/pip); elsewhere a normal pip install picks the right build.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@if ! $(BIN)/python -c "import torch, torchvision" 2>/dev/null; then \
	  if [ -f /etc/xdg/pip/constraints.txt ]; then $(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1; \
	  else $(BIN)/pip install -q torch torchvision; fi; fi
	$(BIN)/pip install -q -c constraints.txt -e '.[docs,test]'
	@touch $@

install: $(STAMP)

# Debian packages: Fashion-MNIST (offline data) and Chromium (browser tests, screenshot).
system-deps:
	@missing=""; \
	[ -d /usr/share/datasets/fashion-mnist ] || missing="$$missing dataset-fashion-mnist"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing) || echo "warning: could not install$$missing"; \
	  else echo "note: no apt-get; missing:$$missing (datasets are downloaded by torchvision where possible)"; fi; \
	fi

# The dataset is prepared once: a stamp in the data root (dlref.lab.data.data_root's rule) records
# it, so deleting the data root fetches again, and an unchanged tree does not import torch.
DATA_ROOT := $(or $(DLREF_DATA),$(if $(filter /%,$(XDG_CACHE_HOME)),$(XDG_CACHE_HOME),$(HOME)/.cache)/dlref/data)
DATA_STAMP := $(DATA_ROOT)/.dlref-fetched-fashion-mnist

$(DATA_STAMP): $(STAMP) | system-deps
	$(BIN)/dlref data fetch fashion-mnist
	@touch $@

data: $(DATA_STAMP)

# The site is rebuilt only when one of its inputs changed since the last successful build
# (`make docs` with nothing changed is a no-op); FRESH=1 always rebuilds, re-running every
# block. The stamp lives in site/, which mkdocs empties first, so a failed build leaves none.
# .cache/build-env holds the variables that change what a build shows; when they change it is
# rewritten and the stamp removed. SITE= and BUILD_CACHE= move both.
SITE ?= site
BUILD_CACHE ?= .cache
SITE_STAMP := $(SITE)/.dlref-built
BUILD_INPUTS := mkdocs.yml pyproject.toml $(shell find docs snippets dlref results -type f \
  -not -path '*/__pycache__/*' -not -name '*.pyc' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)
BUILD_ENV := profile=$(DLREF_PROFILE) device=$(DLREF_DEVICE) data=$(DATA_ROOT) upgrade=$(DLREF_UPGRADE_KEYS)
$(shell mkdir -p $(BUILD_CACHE) && { echo '$(BUILD_ENV)' | cmp -s - $(BUILD_CACHE)/build-env || { echo '$(BUILD_ENV)' > $(BUILD_CACHE)/build-env; rm -f $(SITE_STAMP); }; })

$(SITE_STAMP): $(STAMP) $(DATA_STAMP) $(BUILD_INPUTS) $(BUILD_CACHE)/build-env $(if $(filter 1,$(FRESH)),FORCE) | system-deps
	$(BIN)/mkdocs build --strict -d $(SITE)
	@touch $@

docs: $(SITE_STAMP)

FORCE:

# `make serve` re-renders only the pages whose files changed (`mkdocs serve --dirty`): an
# edit shows in a second or two instead of a whole rebuild (the API pages alone take several
# seconds). Links from an edited page into the API reference resolve at the next full build.
# mkdocs-jupyter deletes the notebook cache entries a build did not use, so the server works
# on its own copies of the block and notebook caches (taken at start) and `make docs` keeps
# its own intact. FULL=1 rebuilds every page.
EXEC_CACHE = $(or $(DLREF_EXEC_CACHE),.cache/dlref-exec)
JUPYTER_CACHE = $(or $(DLREF_JUPYTER_CACHE),.cache/mkdocs-jupyter)
SERVE_CACHE := $(BUILD_CACHE)/serve

serve: $(STAMP) $(DATA_STAMP) | system-deps
	@rm -rf $(SERVE_CACHE) && mkdir -p $(SERVE_CACHE)
	@[ ! -d $(EXEC_CACHE) ] || cp -r $(EXEC_CACHE) $(SERVE_CACHE)/dlref-exec
	@[ ! -d $(JUPYTER_CACHE) ] || cp -r $(JUPYTER_CACHE) $(SERVE_CACHE)/mkdocs-jupyter
	DLREF_EXEC_CACHE=$(SERVE_CACHE)/dlref-exec DLREF_JUPYTER_CACHE=$(SERVE_CACHE)/mkdocs-jupyter \
	  $(BIN)/mkdocs serve $(if $(filter 1,$(FULL)),,--dirty)

# The strict build is part of the tests: its output is checked by tests/test_site_*.py.
test: $(SITE_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --codeblocks tests docs

bench-build: $(STAMP)
	$(BIN)/python benchmarks/build.py

# A CUDA machine is lent rarely, for one command, with its own python3 and PyTorch and no network:
# `make gpu-data` (here) puts Fashion-MNIST as gzip files (about 30 MB) into gpu-data/, which is
# git-ignored and carried there; `make gpu-check` (there) runs dlref.lab.gpu_check from the working
# tree with that python3 (no venv, no installs) and writes results/gpu-check/ (GPU_CHECK_OUT=DIR
# elsewhere). PARTS=tests,attention,... picks parts; BUDGET_SCALE=0.5 halves every part's budget.
GPU_DATA ?= gpu-data
GPU_CHECK_OUT ?= results/gpu-check

gpu-data: $(DATA_STAMP)
	$(BIN)/python -m dlref.lab.gpu_check --prepare-data $(GPU_DATA)

gpu-check:
	@if [ -d "$(GPU_DATA)" ]; then export DLREF_DATA="$(abspath $(GPU_DATA))"; fi; \
	PYTHONUNBUFFERED=1 PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" python3 -m dlref.lab.gpu_check \
	  --out "$(GPU_CHECK_OUT)" $(if $(PARTS),--parts $(PARTS)) $(if $(BUDGET_SCALE),--budget-scale $(BUDGET_SCALE))

clean:
	rm -rf site .cache
