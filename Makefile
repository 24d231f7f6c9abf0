# The workbook's commands. `make report` and `make test` create .venv on first
# use, install the pinned environment (requirements.lock) and the package, and
# reinstall whenever the pins or pyproject.toml change. `make test` also checks
# the system packages the suite needs (scripts/system-deps). Caches, runtime and
# configuration files of Jupyter, IPython and matplotlib stay inside .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pip prints errors only; `make install` says what it is doing.
PIP    := $(BIN)/python -m pip install --no-cache-dir -qq --disable-pip-version-check

export MPLBACKEND          := agg
export MPLCONFIGDIR        := $(CURDIR)/$(VENV)/cache/matplotlib
export IPYTHONDIR          := $(CURDIR)/$(VENV)/cache/ipython
export JUPYTER_CONFIG_DIR  := $(CURDIR)/$(VENV)/etc/jupyter
export JUPYTER_DATA_DIR    := $(CURDIR)/$(VENV)/share/jupyter
export JUPYTER_RUNTIME_DIR := $(CURDIR)/$(VENV)/cache/jupyter-runtime
export XDG_CACHE_HOME      := $(CURDIR)/$(VENV)/cache
export npm_config_cache    := $(CURDIR)/$(VENV)/cache/npm
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# IPython falls back to a temporary folder, with a warning, when its folder's
# parent does not exist yet: every folder above is made before anything runs.
STATE_DIRS := $(MPLCONFIGDIR) $(IPYTHONDIR) $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(JUPYTER_RUNTIME_DIR)

# JupyterLab refuses to run as root without --allow-root; as root (a container,
# a server) no browser is opened either: open the printed URL yourself. Its
# language-server lookup (off: it runs every language server on PATH, and some write
# under ~) would run `npm` (logs under npm_config_cache), and a file
# deleted in JupyterLab goes to the trash under XDG_DATA_HOME: both in .venv.
LAB_FLAGS := --ip=127.0.0.1 --LanguageServerManager.autodetect=False $(if $(filter 0,$(shell id -u)),--allow-root --no-browser)

# The unit tier: no kernel, no browser (tests/notebooks and tests/e2e are the others).
FAST_TESTS := tests/unit

.PHONY: install system-deps report test test-fast refresh lab lint bench clean lock

install: $(STAMP) | $(STATE_DIRS)

$(STATE_DIRS):
	@mkdir -p $@

# pip installs uv (pinned in the lock), and uv the rest: it downloads and unpacks in
# parallel (about 20 s where pip alone takes 70 s), keeping no cache, as pip here. uv
# reads none of pip's settings: where it fails (say, a machine that reaches packages
# only through a mirror set up for pip), pip installs the lock itself. Bytecode is
# compiled at install, not left to the first import: with PYTHONDONTWRITEBYTECODE set
# (as in some CI images) it would be compiled again in every process, which made the
# suite 2 minutes slower.
UV := $(BIN)/uv pip install --python $(BIN)/python --no-deps --compile-bytecode --no-cache -q

$(STAMP): requirements.lock pyproject.toml
	@echo "installing the pinned environment into $(VENV)/ (about half a minute the first time)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) $$(grep -E '^uv==' requirements.lock)
	@$(UV) -r requirements.lock || $(PIP) --no-deps -r requirements.lock
	@$(UV) -e . || $(PIP) --no-deps -e .
	@touch $(STAMP)

system-deps:  ## the browser, fonts and tools the suite needs (installs them as root on Debian/Ubuntu)
	@sh scripts/system-deps

report: install  ## run every notebook on params/default.yaml into reports/
	$(BIN)/workbook run

# The tests spread over the cores (pytest-xdist). `--dist loadfile` keeps a file on one
# worker, in order: a fixture a file shares is made once, and nbval runs a notebook's
# cells in order in one kernel (each notebook is a file), beside the other tests.
test: system-deps install  ## the whole suite: unit tests, notebooks (nbval), runner, browser
	$(BIN)/python -m pytest -n auto --dist loadfile tests notebooks

test-fast: install  ## the unit tier, under a minute
	$(BIN)/python -m pytest $(FAST_TESTS)

refresh: install  ## accept an intended change: re-run the notebooks, store their key figures, print what moved
	$(BIN)/python -m analysis.run.hygiene --refresh

lab: export XDG_DATA_HOME := $(CURDIR)/$(VENV)/share
lab: install  ## JupyterLab on the notebooks, on 127.0.0.1
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

lint: install  ## ruff on the package, tests and notebooks; notebooks stripped and paired
	$(BIN)/ruff check analysis tests notebooks benchmarks
	$(BIN)/nbstripout --keep-count --keep-id --verify notebooks/*.ipynb
	$(BIN)/python -m analysis.run.hygiene

bench: install  ## performance measurements (see benchmarks/README.md)
	$(BIN)/python benchmarks/run_all.py

# The lock holds every package installed (`--no-deps`: nothing unpinned comes in) except
# rfc3987-syntax and its parser lark, an optional validator jsonschema imports eagerly when
# present: it builds ~40 grammars at import, about 2 s in every process that imports nbformat
# (the runner, each worker, papermill, the tests). No notebook or Jupyter schema uses the
# "iri" formats it checks. tests/unit/test_environment.py checks the lock is complete.
LOCK_OMITS := rfc3987-syntax lark

lock: install  ## re-pin requirements.lock from pyproject.toml (with the environment's uv)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		$(foreach p,$(LOCK_OMITS),--no-emit-package $(p)) -o requirements.lock

clean:  ## remove the environment, reports and caches
	rm -rf $(VENV) reports .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
