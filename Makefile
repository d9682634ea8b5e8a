# Two commands set everything up on a fresh machine (Python 3.11, pip, no conda):
#   make report   venv + install + Jupyter kernel + demo data (if none) + the demo month's report
#                 (make report REGION=soloraya: the same for Soloraya's seven kabupaten/kota)
#   make test     the whole test suite
# Other targets: make lab · make data · make clean-data PERIOD=… · make lint · make format · make strip

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_PERIOD := 2026-10
DEMO_HISTORY := 2026-07 2026-08 2026-09
PERIOD ?= $(DEMO_PERIOD)
REPORT_LANG ?= id
# A region of data/reference/regions.csv: surakarta (default) or e.g. soloraya, klaten. The default
# region's folders have no region level (data/raw/<period>/); any other's do (data/raw/<region>/<period>/).
REGION ?= surakarta
REGION_DIR := $(if $(filter surakarta,$(REGION)),,$(REGION)/)
KERNEL := umkm-bpjstk

.PHONY: install report data test test-fast lab lint format strip clean-data

$(VENV)/.installed: pyproject.toml
	@echo ">> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (UMKM BPJSTK)" >/dev/null
	@touch $@

install: $(VENV)/.installed

# Demo data of the region: the demo month plus three earlier months (so the coverage trend has a
# history), generated only where the month's raw folder is empty; earlier months are cleaned here.
data: install
	@for p in $(DEMO_HISTORY) $(DEMO_PERIOD); do \
	  if [ -z "$$(ls -A data/raw/$(REGION_DIR)$$p 2>/dev/null)" ]; then \
	    $(PY) -m analysis demo-data --period $$p --region $(REGION) || exit 1; \
	    if [ "$$p" != "$(DEMO_PERIOD)" ]; then $(PY) -m analysis clean --period $$p --region $(REGION) || exit 1; fi; \
	  fi; \
	done

report: data
	$(PY) -m analysis report --period $(PERIOD) --lang $(REPORT_LANG) --region $(REGION)

test: install
	$(PY) -m pytest -n 2

test-fast: install
	$(PY) -m pytest -n 2 -m "not slow and not browser"

lab: data
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --MultiKernelManager.default_kernel_name=$(KERNEL)

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
