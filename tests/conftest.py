"""Shared fixtures: one way to run a notebook through papermill in tests."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where the browser check saves its screenshots: git-ignored, uploaded by the CI templates.
SCREENSHOTS = ROOT / "reports" / "screenshots"
os.environ.setdefault("MPLBACKEND", "agg")
# A fixed pseudonym key for the suite, so no test creates a key file in the home folder.
os.environ.setdefault("WORKBOOK_PSEUDONYM_KEY", "test-suite-key-not-secret-0123456789")


# The tiers are folders: tests/unit (no kernel, no browser: `make test-fast`),
# tests/notebooks (notebook runs and nbval) and tests/e2e (the runner, the canary, the
# browser, hostile files). Each test gets its tier's marker, so `-m unit` works too. The
# notebook tier reuses the unit tier's sample builders (`from test_trends import simulated`).
TIERS = ("unit", "notebooks", "e2e")
sys.path.insert(0, str(Path(__file__).resolve().parent / "unit"))
# Tests that start a kernel or a browser are also marked slow. Those using these fixtures
# are marked here, the others where they are written.
SLOW_FIXTURES = {"run_notebook", "fresh_reports"}


def pytest_itemcollected(item):
    tests = Path(__file__).resolve().parent
    path = Path(str(item.fspath)).resolve()
    tier = path.relative_to(tests).parts[0] if path.is_relative_to(tests) else "notebooks"
    item.add_marker(getattr(pytest.mark, tier if tier in TIERS else "unit"))
    fixtures = set(getattr(item, "fixturenames", ()))
    if SLOW_FIXTURES & fixtures:
        item.add_marker(pytest.mark.slow)


KEY_FIGURES = "key figures that moved"
ACCEPT = "If the change is intended, accept it: make refresh (re-runs the notebooks, stores the new figures)"


class KeyFigureReport:
    """When nbval finds a key-figure cell's output changed, name each figure that moved and how to accept it.

    Registered as a plugin (not a conftest hook) so that it sees the notebooks' cells wherever
    they are collected from.
    """

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        cell = getattr(item, "cell", None)  # nbval's items carry their notebook cell
        if report.when != "call" or not report.failed or cell is None or call.excinfo is None:
            return
        from analysis.output.record import KEY_FIGURE_DECIMALS
        from analysis.run import hygiene

        if not hygiene.keeps_output(cell) or str(call.excinfo.value) != "Cell outputs differ":
            return
        stored, now = hygiene.printed_text(cell.outputs), hygiene.printed_text(item.test_outputs or [])
        lines = hygiene.moved_lines(hygiene.moved(stored, now)) or [
            f"no key figure moved at {KEY_FIGURE_DECIMALS} decimals; other output of the cell differs"
        ]
        where = f"{Path(str(item.fspath)).name}, cell {item.cell_num}"
        text = "\n".join([f"{where} (stored → now):", *("    " + line for line in lines), ACCEPT])
        report.sections.append((KEY_FIGURES, text))

    def pytest_terminal_summary(self, terminalreporter):
        found = [
            text
            for report in terminalreporter.stats.get("failed", [])
            for name, text in getattr(report, "sections", [])
            if name == KEY_FIGURES
        ]
        if found:
            terminalreporter.section(KEY_FIGURES)
            for text in found:
                terminalreporter.write_line(text)


def pytest_configure(config):
    if not config.pluginmanager.has_plugin(KEY_FIGURES):
        config.pluginmanager.register(KeyFigureReport(), KEY_FIGURES)


_fork_server: dict = {}


def _kernel_manager_class():
    """The runner's warm kernels for the suite's own notebook runs: one fork server per test
    process (each pytest-xdist worker), started on first use, stopped when the process ends.

    A test that changed the environment gets a plain kernel (the server refuses it), as
    the runner's batch would; tests/e2e/test_kernels.py checks a warm kernel is a fresh one.
    """
    from analysis.run import kernels

    if "class" not in _fork_server:
        server = None
        if kernels.unavailable() is None:
            import atexit

            notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
            server = kernels.ForkServer(kernels.notebook_imports(notebooks), ROOT, dict(os.environ))
            atexit.register(server.stop)
        kernels.use(server.address if server else None)
        _fork_server["class"] = kernels.manager_class()
    return _fork_server["class"]


def execute(notebook: str, tmp_path: Path, **parameters) -> dict:
    """Run notebooks/<notebook>.ipynb with `parameters`; return its metrics.json."""
    import papermill

    out = tmp_path / notebook
    out.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{notebook}.ipynb"),
        str(out / "notebook.ipynb"),
        parameters={**parameters, "output_dir": str(out)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT),
        kernel_manager_class=_kernel_manager_class(),
    )
    return json.loads((out / "metrics.json").read_text("utf-8"))


@pytest.fixture
def run_notebook(tmp_path):
    """`run_notebook("trends", period="month")` → the notebook's metrics.json as a dict."""
    return lambda notebook, **parameters: execute(notebook, tmp_path, **parameters)


@pytest.fixture(scope="session")
def fresh_reports(tmp_path_factory):
    """Every params file in params/ run once through the runner, two at a time.

    Returns (reports folder, completed process). Shared by the params-runs test, the PDF
    check and the browser check, so the suite pays for the batch once: under pytest-xdist
    the first worker to need it makes it (holding a lock) and the others read it.
    """
    import fcntl
    import subprocess
    import sys

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's base folder sits in
    out, done = shared / "fresh" / "reports", shared / "fresh" / "process.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "fresh" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            files = sorted(str(p) for p in (ROOT / "params").glob("*.yaml"))
            ran = subprocess.run(
                [sys.executable, "-m", "analysis", "run", *files, "-o", str(out), "-j", "2"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=1200,
            )
            done.write_text(json.dumps({"args": ran.args, "returncode": ran.returncode,
                                        "stdout": ran.stdout, "stderr": ran.stderr}), "utf-8")
    proc = subprocess.CompletedProcess(**json.loads(done.read_text("utf-8")))
    return out, proc
