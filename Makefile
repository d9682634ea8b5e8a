# Two commands set everything up on a fresh machine (Python 3.11, pip, no conda):
#   make report   venv + install + Jupyter kernel + demo data (if none) + the demo month's report
#                 (make report REGION=soloraya: the same for Soloraya's seven kabupaten/kota)
#   make test     the whole test suite
# Other targets: make lab · make lab-lang LAB_LANG=en · make data · make clean-data PERIOD=… · make lint · make format · make strip

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_PERIOD := 2026-10
DEMO_HISTORY := 2026-07 2026-08 2026-09
# The demo's outreach campaign plants this many extra registrations a month per visited kelurahan
# (at 30 attendees; analysis.demo.outreach): the outreach page must find it.
DEMO_OUTREACH := 2
PERIOD ?= $(DEMO_PERIOD)
REPORT_LANG ?= id
LAB_LANG ?= id
# A region of data/reference/regions.csv: surakarta (default) or e.g. soloraya, klaten. The default
# region's folders have no region level (data/raw/<period>/); any other's do (data/raw/<region>/<period>/).
REGION ?= surakarta
REGION_DIR := $(if $(filter surakarta,$(REGION)),,$(REGION)/)
KERNEL := umkm-bpjstk

.PHONY: install git-filter report data test test-fast lab lab-lang lint format strip clean-data

$(VENV)/.installed: pyproject.toml setup.py src/analysis/ingest/_fast_hmac.c
	@echo ">> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (UMKM BPJSTK)" >/dev/null
	@touch $@

install: $(VENV)/.installed git-filter

# Notebook outputs never reach git: .gitattributes (committed) sends every *.ipynb through the
# `nbstripout` filter, defined here in .git/config (which a clone never gets). The filter runs
# this project's .venv by a path relative to the top of the work tree (git runs filters there),
# with --keep-id like `make strip` (`nbstripout --install` would silently drop --keep-id).
# Setting it again changes nothing; without git, or outside a clone, it is skipped with a note.
git-filter:
	@if ! command -v git >/dev/null 2>&1; then 	  echo ">> git not found: notebook outputs are not stripped on commit (make strip does it by hand)"; 	elif ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then 	  echo ">> not a git clone: notebook outputs are not stripped on commit (make strip does it by hand)"; 	else 	  py="$$(git rev-parse --show-prefix)$(PY)"; 	  git config filter.nbstripout.clean "$$py -m nbstripout --keep-id" && 	  git config filter.nbstripout.smudge cat && 	  git config filter.nbstripout.required true && 	  git config diff.ipynb.textconv "$$py -m nbstripout -t --keep-id"; 	fi

# Demo data of the region: the demo month plus three earlier months (so the coverage trend has a
# history, and the outreach campaign a before and after), generated only where the month's raw
# folder is empty; earlier months are cleaned here.
data: install
	@for p in $(DEMO_HISTORY) $(DEMO_PERIOD); do \
	  if [ -z "$$(ls -A data/raw/$(REGION_DIR)$$p 2>/dev/null)" ]; then \
	    $(PY) -m analysis demo-data --period $$p --region $(REGION) --outreach-effect $(DEMO_OUTREACH) || exit 1; \
	    if [ "$$p" != "$(DEMO_PERIOD)" ]; then $(PY) -m analysis clean --period $$p --region $(REGION) || exit 1; fi; \
	  fi; \
	done

report: data
	$(PY) -m analysis report --period $(PERIOD) --lang $(REPORT_LANG) --region $(REGION)

test: install
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: install
	$(PY) -m pytest -n 2 --dist loadgroup -m "not slow and not browser"

# JupyterLab at the project root: notebooks/, data/ (raw, processed, reference), reports/ and docs/
# are all in the file browser.
# config/jupyter/custom/custom.css hides the other language's cells entirely (lab-lang); your own
# Jupyter settings, workspaces and configuration are still used (set before JUPYTER_CONFIG_DIR).
lab: data
	JUPYTER_CONFIG_PATH="$${JUPYTER_CONFIG_DIR:-$$HOME/.jupyter}$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	JUPYTERLAB_SETTINGS_DIR="$${JUPYTERLAB_SETTINGS_DIR:-$${JUPYTER_CONFIG_DIR:-$$HOME/.jupyter}/lab/user-settings}" \
	JUPYTERLAB_WORKSPACES_DIR="$${JUPYTERLAB_WORKSPACES_DIR:-$${JUPYTER_CONFIG_DIR:-$$HOME/.jupyter}/lab/workspaces}" \
	JUPYTER_CONFIG_DIR="$(CURDIR)/config/jupyter" \
	$(VENV)/bin/jupyter lab --notebook-dir=. --LabApp.custom_css=True \
	  --MultiKernelManager.default_kernel_name=$(KERNEL)

# One language's narrative in JupyterLab (cells and table of contents): id (as committed), en, or
# off (both). Close and reopen open notebooks afterwards.
lab-lang: install
	$(PY) -m analysis lab-lang $(LAB_LANG)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

strip: install
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb

clean-data:
	rm -rf data/processed/$(REGION_DIR)$(PERIOD) reports/$(REGION_DIR)$(PERIOD)
