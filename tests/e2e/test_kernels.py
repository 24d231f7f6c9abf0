"""Warm kernels: a batch imports once, yet every notebook runs in a fresh process of its own.

The probe notebook first looks for what an earlier notebook could have left
behind (a global, a package or library attribute, a pandas option, an
environment variable, a matplotlib setting, a module, sys.path, the working
folder), records it with a picture of its kernel's state, then leaves all of
those marks itself. Four runs one after the other in one worker, forked from
one server, must each find nothing; and a warm kernel must look like a plain one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from analysis.run import kernels

WORKBOOK = [sys.executable, "-m", "analysis"]
LAUNCH = ["-m", "ipykernel_launcher"]

FIRST = """from typing import Optional
import sys
preloaded = "pandas" in sys.modules  # before this notebook imports anything heavy
"""

PROBE = """
import json, os, random, signal, warnings
from pathlib import Path
import matplotlib
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv
import analysis.config

found = []
if "LEFT_BEHIND" in globals():
    found.append("global")
if hasattr(analysis.config, "LEFT_BEHIND"):
    found.append("package attribute")
if hasattr(pd, "LEFT_BEHIND"):
    found.append("library attribute")
if pd.get_option("display.max_rows") == 3:
    found.append("pandas option")
if "WORKBOOK_LEFT_BEHIND" in os.environ:
    found.append("environment variable")
if matplotlib.rcParams["lines.linewidth"] == 7.5:
    found.append("matplotlib setting")
if "left_behind" in sys.modules:
    found.append("module")
if "/left-behind" in sys.path:
    found.append("sys.path entry")
if Path.cwd() != analysis.config.ROOT:
    found.append("working folder")

def handler(signum):
    h = signal.getsignal(signum)
    return getattr(h, "__qualname__", None) or repr(h)

matrix = np.arange(250_000, dtype=float).reshape(500, 500) / 250_000
state = {
    # WORKBOOK_CHECKED_INPUTS names each run's own folder
    "env": {k: v for k, v in os.environ.items()
            if not k.startswith(("JPY_", "WORKBOOK_WARM", "WORKBOOK_CHECKED"))},
    "sys.path": sys.path,
    "cwd": os.getcwd(),
    "argv": [a for a in sys.argv[1:] if not a.endswith(".json")],
    "executable": sys.executable,
    "main": [__name__, type(sys.modules["__main__"]).__name__],
    "session leader": os.getsid(0) == os.getpid(),
    "matplotlib backend": matplotlib.get_backend(),
    "rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
    # The same filters; their order may differ, as the server imports numpy before the kernel starts,
    # not after (numpy's and ipykernel's filters match different warnings).
    "warning filters": sorted(repr(f) for f in warnings.filters),
    "numpy errors": np.geterr(),
    "signals": {name: handler(getattr(signal, name)) for name in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGPIPE")},
    "blas": round(float(np.linalg.norm(matrix @ matrix)), 6),
    "arrow": pyarrow.csv.read_csv(pa.py_buffer(b"a,b\\n1,2\\n3,4\\n")).to_pydict(),
    "stdin": sys.stdin is None or sys.stdin.read() == "",
}
probe = {"found": found, "preloaded": preloaded, "pid": os.getpid(),
         "draws": [random.random(), float(np.random.random())], "state": state}
Path(output_dir, "probe.json").write_text(json.dumps(probe))
json.left_open = open(Path(output_dir, "left-open.txt"), "w")  # flushed when the interpreter ends
json.left_open.write("written at the end")

LEFT_BEHIND = 1
analysis.config.LEFT_BEHIND = 1
pd.LEFT_BEHIND = 1
pd.set_option("display.max_rows", 3)
os.environ["WORKBOOK_LEFT_BEHIND"] = "1"
matplotlib.rcParams["lines.linewidth"] = 7.5
sys.modules["left_behind"] = type(sys)("left_behind")
sys.path.append("/left-behind")
os.chdir("/")
"""


@pytest.fixture
def probes(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("one", "two"):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [
            nbformat.v4.new_code_cell(FIRST),
            nbformat.v4.new_code_cell(
                'label: str = "x"  # any text\noutput_dir: Optional[str] = None  # set by the runner',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(PROBE),
        ]
        nbformat.write(nb, folder / f"{name}.ipynb")
    monkeypatch.setenv("WORKBOOK_NOTEBOOKS", str(folder))
    monkeypatch.setenv("MPLBACKEND", "agg")
    monkeypatch.delenv(kernels.SWITCH, raising=False)
    for run in ("a", "b"):
        (tmp_path / f"{run}.yaml").write_text(f"label: {run}\n")
    return tmp_path


def workbook(*args, env=None):
    return subprocess.run([*WORKBOOK, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def read_probes(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*/*/probe.json"))]


def not_flushed(out: Path) -> list[str]:
    """The reports whose notebook's left-open file was not flushed when its kernel ended."""
    return [f"{p.parent.parent.name}/{p.parent.name}" for p in sorted(out.glob("*/*/left-open.txt"))
            if p.read_text() != "written at the end"]


@pytest.mark.skipif(kernels.unavailable() is not None, reason="kernels cannot be forked here")
def test_nothing_of_one_notebook_reaches_the_next_and_warm_looks_plain(probes):
    out = probes / "reports"
    res = workbook("run", probes / "a.yaml", probes / "b.yaml", "-o", out, "-j", "1")
    assert res.returncode == 0, res.stderr
    assert "warm kernels" in res.stdout and "plain kernel" not in res.stdout
    warm = read_probes(out)
    assert len(warm) == 4
    assert [p["found"] for p in warm] == [[]] * 4
    assert all(p["preloaded"] for p in warm)  # forked from the server: pandas was there already
    assert len({p["pid"] for p in warm}) == 4
    assert len({d for p in warm for d in p["draws"]}) == 8  # each kernel draws its own random numbers

    plain_out = probes / "plain"
    res = workbook("run", probes / "a.yaml", "-n", "one", "-o", plain_out, env={kernels.SWITCH: "0"})
    assert res.returncode == 0, res.stderr
    assert f"plain kernel ({kernels.SWITCH}=0)" in res.stdout
    (plain,) = read_probes(plain_out)
    assert not plain["preloaded"] and plain["found"] == []
    for probe in warm:
        differ = {k for k in plain["state"] if probe["state"][k] != plain["state"][k]}
        assert not differ, {k: (probe["state"][k], plain["state"][k]) for k in differ}
    # Each warm kernel ended through its interpreter's normal exit, its left-open file flushed. (Not
    # asserted of the plain kernel: jupyter's own kernel lost that file in two full suites of five
    # under load, ending in normal time, a race outside the workbook; forked kernels settle their
    # threads first, see forkserver._settle.)
    assert not_flushed(out) == []


def _argv(connection_file: Path) -> list[str]:
    return [sys.executable, *LAUNCH, "-f", str(connection_file), "--IPKernelApp.log_level=CRITICAL"]


@pytest.mark.skipif(kernels.unavailable() is not None, reason="kernels cannot be forked here")
def test_the_server_refuses_what_it_cannot_fork_faithfully_and_its_kernels_end_with_it(tmp_path):
    from jupyter_client.connect import write_connection_file

    connection, _ = write_connection_file(str(tmp_path / "kernel.json"))
    env = {**os.environ, "MPLBACKEND": "agg"}
    env.pop("WORKBOOK_SET_ON_IMPORT", None)
    # A stand-in for an import that sets a variable (as pandera does): a kernel may have it already.
    sets_a_variable = "import os; os.environ.setdefault('WORKBOOK_SET_ON_IMPORT', 'yes')"
    server = kernels.ForkServer([sets_a_variable], ROOT, env)
    with server:
        for argv, extra, cwd, reason in [
            (_argv(connection), {"WORKBOOK_OTHER": "1"}, ROOT, "environment differs.*WORKBOOK_OTHER"),
            (_argv(connection), {"WORKBOOK_SET_ON_IMPORT": "no"}, ROOT, "differs.*WORKBOOK_SET_ON_IMPORT"),
            (["/usr/bin/env", *_argv(connection)[1:]], {}, ROOT, "not this interpreter's ipykernel"),
            (_argv(connection), {}, tmp_path, "working folder"),
        ]:
            with pytest.raises(kernels.KernelForkError, match=reason):
                kernels.fork_kernel(argv, {**env, **extra}, str(cwd), server.address)
        env["WORKBOOK_SET_ON_IMPORT"] = "yes"
        kernel = kernels.fork_kernel(_argv(connection), env, str(ROOT), server.address)
        assert kernel.poll() is None
    assert not Path(server.folder).exists()
    assert kernel.wait(timeout=30) == 0  # the kernel noticed its server had gone
    with pytest.raises(kernels.KernelForkError, match="did not answer"):
        kernels.fork_kernel(_argv(connection), env, str(ROOT), server.address)


@pytest.mark.skipif(kernels.unavailable() is not None, reason="kernels cannot be forked here")
def test_a_killed_runner_leaves_no_server_behind(tmp_path):
    script = (
        "import sys, time\nfrom analysis.run import kernels\n"
        f"s = kernels.ForkServer([], {str(ROOT)!r})\n"
        "print(s.folder, s.process.pid, flush=True)\ntime.sleep(60)\n"
    )
    runner = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    folder, pid = runner.stdout.readline().split()
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    deadline = time.monotonic() + 30
    while Path(folder).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(folder).exists()
    assert not _running(int(pid), deadline)


def _running(pid: int, deadline: float) -> bool:
    """Whether `pid` still runs at `deadline` (an ended process its new parent has not reaped does not)."""
    stat = Path(f"/proc/{pid}/stat")
    while time.monotonic() < deadline:
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        except (FileNotFoundError, ProcessLookupError):
            return False
        time.sleep(0.2)
    return True


def test_without_a_server_the_manager_starts_a_plain_kernel(tmp_path, monkeypatch):
    import papermill

    monkeypatch.setattr(kernels, "_address", None)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                               progress_bar=False, kernel_manager_class=kernels.manager_class())
    assert kernels.last_launch() == "plain (no fork server)"
    assert "42" in (tmp_path / "out.ipynb").read_text()


def test_notebook_imports_are_read_from_code_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("import nothing"),
        nbformat.v4.new_code_cell("from __future__ import annotations\nimport os\n%matplotlib inline"),
        nbformat.v4.new_code_cell("from analysis.output.record import Recorder\nif True:\n    import math"),
        nbformat.v4.new_code_cell("import os"),
    ]
    nbformat.write(nb, tmp_path / "x.ipynb")
    assert kernels.notebook_imports([tmp_path / "x.ipynb", tmp_path / "missing.ipynb"]) == [
        "from analysis.output.record import Recorder",
        "import math",
        "import os",
    ]


def test_html_export_starts_no_process(tmp_path, monkeypatch):
    from analysis.output import publish

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    nbformat.write(nb, tmp_path / "notebook.ipynb")

    def no_process(*args, **kwargs):
        raise AssertionError("the export started a process")

    for module, name in [(subprocess, "Popen"), (os, "fork"), (os, "posix_spawn"), (os, "system")]:
        monkeypatch.setattr(module, name, no_process)
    publish.export_html(tmp_path / "notebook.ipynb", tmp_path / "report.html")
    assert "Title" in (tmp_path / "report.html").read_text()
