# The workbook's commands. `make report` and `make test` create .venv on first
# use, install the pinned environment (requirements.lock) and the package, and
# reinstall whenever the pins or pyproject.toml change. `make test` also checks
# the system packages the suite needs (scripts/system-deps). Caches and runtime
# files of Jupyter, IPython and matplotlib stay inside .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export MPLBACKEND          := agg
export MPLCONFIGDIR        := $(CURDIR)/$(VENV)/cache/matplotlib
export IPYTHONDIR          := $(CURDIR)/$(VENV)/cache/ipython
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(VENV)/cache/jupyter-runtime
export JUPYTER_CONFIG_DIR  := $(CURDIR)/$(VENV)/etc/jupyter
export XDG_CACHE_HOME      := $(CURDIR)/$(VENV)/cache
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install system-deps report test lab lint bench clean lock

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-cache-dir -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --no-cache-dir -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

system-deps:  ## the browser, fonts and tools the suite needs (installs them as root on Debian/Ubuntu)
	@sh scripts/system-deps

report: install  ## run every notebook on params/default.yaml into reports/
	$(BIN)/workbook run

test: system-deps install  ## the whole suite: unit tests, notebooks (nbval), runner, browser
	$(BIN)/python -m pytest

lab: install  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

lint: install  ## ruff on the package, tests and notebooks; notebooks stripped and paired
	$(BIN)/ruff check analysis tests notebooks benchmarks
	$(BIN)/nbstripout --keep-count --keep-id --verify notebooks/*.ipynb
	$(BIN)/python -m analysis.hygiene

bench: install  ## performance measurements (see benchmarks/README.md)
	$(BIN)/python benchmarks/run_all.py

lock:  ## re-pin requirements.lock from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:  ## remove the environment, reports and caches
	rm -rf $(VENV) reports .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
