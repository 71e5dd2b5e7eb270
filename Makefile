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

.PHONY: install data system-deps docs serve test test-fast bench-build clean

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

data: $(STAMP) system-deps
	$(BIN)/dlref data fetch fashion-mnist

docs: data
	$(BIN)/mkdocs build --strict

serve: data
	$(BIN)/mkdocs serve

# The strict build is part of the tests: its output is checked by tests/test_site_*.py.
test: data
	$(BIN)/mkdocs build --strict
	$(BIN)/python -m pytest -n 2 --codeblocks tests docs

bench-build: $(STAMP)
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf site .cache
