"""The runner: strict parameters, batches, incremental runs and safe publishing.

Most tests use two tiny notebooks of their own (a folder given through
WORKBOOK_NOTEBOOKS) so that they run in seconds; one runs the real core notebook.
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
from conftest import ROOT, execute

WORKBOOK = [sys.executable, "-m", "analysis"]
pytestmark = pytest.mark.slow


def _notebook(body: str, params: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("from typing import Optional"),
        nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
    ]
    return nb


RECORD = """
import time
from analysis.output.record import Recorder
rec = Recorder(NAME, globals())
time.sleep(sleep)
rec.metrics({"answer": 42, "label": label})
if fail:
    raise RuntimeError("planned failure")
rec.finish()
"""


@pytest.fixture
def books(tmp_path, monkeypatch):
    """A notebooks folder with `alpha` and `beta`, both taking fail/sleep/label."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("alpha", "beta"):
        params = (
            'lang: str = "vi"  # language\n'
            "fail: bool = False  # raise at the end\n"
            "sleep: float = 0.0  # seconds to wait\n"
            'label: str = "x"  # any text\n'
            "output_dir: Optional[str] = None  # set by the runner"
        )
        nbformat.write(_notebook(RECORD.replace("NAME", repr(name)), params), folder / f"{name}.ipynb")
    monkeypatch.setenv("WORKBOOK_NOTEBOOKS", str(folder))
    monkeypatch.setenv("MPLBACKEND", "agg")
    return folder


def workbook(*args, cwd=ROOT, env=None, pdfs=False):
    """`python -m analysis ARGS`; a run prints no PDF unless asked (test_pdf.py and the browser
    check cover them, on the batch of every params file)."""
    if args and args[0] == "run" and not pdfs:
        args = (*args, "--no-pdf")
    return subprocess.run(
        [*WORKBOOK, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        timeout=300,
    )


def params_file(tmp_path, name, **values):
    path = tmp_path / f"{name}.yaml"
    path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items()))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_batch_writes_the_contract_layout(books, tmp_path):
    out = tmp_path / "reports"
    a, b = params_file(tmp_path, "a", label="A"), params_file(tmp_path, "b", label="B")
    res = workbook("run", a, b, "-o", out, "-j", "2")
    assert res.returncode == 0, res.stderr
    for run in ("a", "b"):
        for nb in ("alpha", "beta"):
            folder = out / run / nb
            assert {"notebook.ipynb", "report.html", "metrics.json"} <= {p.name for p in folder.iterdir()}
            assert (folder / "figures").is_dir() and (folder / "tables").is_dir()
            meta = json.loads((folder / "metrics.json").read_text())
            assert meta["metrics"] == {"answer": 42, "label": run.upper()}
            assert meta["meta"]["run"] == run and meta["meta"]["notebook"] == nb
            assert meta["meta"]["params"] == {"label": run.upper()}
            assert set(meta["meta"]) >= {"inputs", "data_kind", "generated_at", "versions"}
        assert (out / run / "summary.xlsx").is_file()
    index = (out / "index.html").read_text()
    assert index.count("report.html") == 4
    for line in ("run", "notebook", "status", "seconds", "report"):
        assert line in res.stdout.splitlines()[-5]


def test_unknown_parameter_names_the_closest_and_writes_nothing(books, tmp_path):
    out = tmp_path / "reports"
    res = workbook("run", params_file(tmp_path, "p", lable="A"), "-o", out)
    assert res.returncode == 2
    assert "'lable'" in res.stderr and "did you mean 'label'" in res.stderr
    assert not out.exists()


def test_wrong_type_names_parameter_type_and_value(books, tmp_path):
    out = tmp_path / "reports"
    res = workbook("run", params_file(tmp_path, "p", sleep="soon"), "-o", out)
    assert res.returncode == 2
    assert "'sleep'" in res.stderr and "float" in res.stderr and "soon" in res.stderr
    assert not out.exists()


def test_override_with_p_applies_to_every_run(books, tmp_path):
    out = tmp_path / "reports"
    res = workbook("run", params_file(tmp_path, "a"), "-p", "label", "Z", "-n", "alpha", "-o", out)
    assert res.returncode == 0, res.stderr
    # a run with overrides is named after its base and the overrides: it replaces no other report
    assert json.loads((out / "a+label-Z" / "alpha" / "metrics.json").read_text())["metrics"]["label"] == "Z"
    assert not (out / "a").exists() and not (out / "a+label-Z" / "beta").exists()
    res = workbook("run", params_file(tmp_path, "a"), "-p", "label", "Y", "-n", "alpha", "-o", out,
                   "--name", "mine")
    assert res.returncode == 0, res.stderr
    assert json.loads((out / "mine" / "alpha" / "metrics.json").read_text())["metrics"]["label"] == "Y"


def test_unchanged_inputs_are_skipped_and_force_reruns(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert workbook("run", p, "-o", out).returncode == 0
    before = snapshot(out / "a" / "alpha")
    res = workbook("run", p, "-o", out)
    assert res.returncode == 0 and res.stdout.count("up to date") >= 2
    assert snapshot(out / "a" / "alpha") == before
    res = workbook("run", p, "-o", out, "--force")
    assert "up to date" not in res.stdout
    changed = params_file(tmp_path, "a", label="new")
    res = workbook("run", changed, "-o", out, "-n", "alpha")
    assert "up to date" not in res.stdout


def test_no_pdf_prints_none_and_a_later_run_prints_the_missing_ones(books, tmp_path):
    from analysis.output import pdf

    if pdf.find_chromium() is None:
        pytest.fail("Chromium is not installed: make test installs Debian's chromium package")
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    res = workbook("run", p, "-o", out, "-n", "alpha")
    assert res.returncode == 0, res.stderr
    assert (out / "a" / "alpha" / "report.html").is_file()
    assert not (out / "a" / "alpha" / pdf.PDF_FILE).exists()
    assert "report.pdf" not in res.stderr  # asked for: no warning
    assert "report.pdf" not in (out / "index.html").read_text("utf-8")
    res = workbook("run", p, "-o", out, "-n", "alpha", pdfs=True)
    assert res.returncode == 0 and "up to date" in res.stdout
    assert (out / "a" / "alpha" / pdf.PDF_FILE).read_bytes().startswith(b"%PDF")


def test_failing_notebook_keeps_the_last_good_report(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert workbook("run", p, "-o", out).returncode == 0
    good = snapshot(out / "a" / "alpha")
    res = workbook("run", p, "-o", out, "-p", "fail", "true", "-n", "alpha", "--name", "a")
    assert res.returncode == 1
    assert "planned failure" in res.stderr
    assert snapshot(out / "a" / "alpha") == good
    failed = out / "a" / "failed" / "alpha.ipynb"
    assert "planned failure" in failed.read_text()
    status = json.loads((out / "a" / "status.json").read_text())
    assert status["alpha"]["status"] == "failed" and status["beta"]["status"] == "ok"
    assert "failed" in (out / "index.html").read_text()


def test_failure_beside_success_publishes_the_success(books, tmp_path):
    out = tmp_path / "reports"
    ok, bad = params_file(tmp_path, "ok"), params_file(tmp_path, "bad", fail=True)
    res = workbook("run", ok, bad, "-o", out, "-n", "beta")
    assert res.returncode == 1
    assert (out / "ok" / "beta" / "report.html").is_file()
    assert not (out / "bad" / "beta").exists()


def test_sigkill_mid_run_leaves_earlier_reports_whole(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert workbook("run", p, "-o", out).returncode == 0
    good = snapshot(out)
    proc = subprocess.Popen(
        [*WORKBOOK, "run", str(p), "-o", str(out), "--force", "-p", "sleep", "30", "--name", "a"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((out / "a").glob(".tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list((out / "a").glob(".tmp-*")), "the run never started building"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    leftovers = list((out / "a").glob(".tmp-*"))
    assert leftovers  # a half-built report was left behind...
    assert {k: v for k, v in snapshot(out).items() if not k.startswith("a/.tmp-")} == good
    assert workbook("run", p, "-o", out, "-n", "alpha").returncode == 0
    assert not list((out / "a").glob(".tmp-*"))  # ...and the next run cleaned it up,
    assert not list(out.glob(".tmp-*"))  # the killed run's folder for checked inputs too


def test_params_lists_types_defaults_and_help(books):
    res = workbook("params", "alpha")
    assert res.returncode == 0
    assert "sleep: float = 0.0  # seconds to wait" in res.stdout


def test_core_notebook_runs_through_the_runner(tmp_path):
    out = tmp_path / "reports"
    res = workbook("run", "-n", "historical_vs_campaign", "-o", out)
    assert res.returncode == 0, res.stderr
    report = out / "default" / "historical_vs_campaign"
    html = (report / "report.html").read_text()
    assert "rec.finish()" not in html  # code hidden
    assert "data:image/png;base64" in html  # figures embedded
    assert len(list((report / "figures").glob("*.png"))) >= 3
    meta = json.loads((report / "metrics.json").read_text())["meta"]
    assert meta["data_kind"] == "real"
    assert {i["path"] for i in meta["inputs"]} >= {"data/published/totals.csv"}


def test_a_large_visits_file_checked_by_the_run_gives_the_same_report_and_leaves_nothing(tmp_path):
    """The input check's compact frame goes to the kernel through the run's private folder
    (tests/unit/test_handoff.py): the key figures are those of papermill reading the file
    itself, and the folder is gone when the run ends."""
    out = tmp_path / "reports"
    env = {**os.environ, "WORKBOOK_ENGINE_BYTES": "1"}
    res = workbook("run", "-n", "donor_retention", "-o", out, env=env)
    assert res.returncode == 0, res.stderr
    metrics = json.loads((out / "default" / "donor_retention" / "metrics.json").read_text())
    assert metrics["metrics"] == execute("donor_retention", tmp_path / "papermill")["metrics"]
    assert not list(out.glob(".tmp-*"))


def test_papermill_cli_runs_the_core_notebook(tmp_path):
    papermill = Path(sys.executable).parent / "papermill"
    res = subprocess.run(
        [
            str(papermill),
            "notebooks/historical_vs_campaign.ipynb",
            str(tmp_path / "out.ipynb"),
            "-f",
            "params/default.yaml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "hist_yield" in (tmp_path / "out.ipynb").read_text()


def test_full_disk_on_publish_fails_cleanly_and_keeps_the_old_report(books, tmp_path, monkeypatch, capsys):
    import errno

    from analysis import config
    from analysis.output import publish
    from analysis.run import runner

    monkeypatch.setattr(config, "NOTEBOOKS", books)
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert runner.run([p], ["alpha"], {}, out, jobs=1) == 0
    good = snapshot(out / "a" / "alpha")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "finish_report", disk_full)
    capsys.readouterr()
    assert runner.run([p], ["alpha"], {}, out, jobs=1, force=True) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err
    assert snapshot(out / "a" / "alpha") == good
    assert not list((out / "a").glob(".tmp-*"))


@pytest.mark.parametrize(
    "override, message",
    [
        (("campaign_id", "giotmau-1999"), "giotmau-1999"),
        (("as_of", "2023-07-01"), "before the first session"),
        (("as_of", "2023-09-30"), "after the end"),
        (("as_of", "30/09/2023"), "ISO date"),
        (("sessions_path", "data/missing.csv"), "not found"),
        (("sessions_columns", "{units: 3}"), "mapping"),
    ],
    ids=["unknown-campaign", "as_of-early", "as_of-late", "as_of-format", "missing-file", "bad-columns"],
)
def test_bad_request_for_campaign_progress_exits_2(tmp_path, override, message):
    out = tmp_path / "reports"
    res = workbook("run", "-n", "campaign_progress", "-p", *override, "-o", out)
    assert res.returncode == 2, res.stdout + res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_sessions_outside_the_campaign_exit_2(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "session_date,site,campaign_id,units\n2023-08-04,A,giotmau-2023,100\n2023-09-04,B,giotmau-2023,90\n"
    )
    res = workbook("run", "-n", "campaign_progress", "-p", "sessions_path", sheet, "-o", tmp_path / "r")
    assert res.returncode == 2
    assert "sheet.csv:3:" in res.stderr and "outside" in res.stderr


def test_a_key_of_an_unselected_notebook_is_not_an_error(books, tmp_path):
    extra = tmp_path / "notebooks" / "gamma.ipynb"
    nbformat.write(_notebook("x = 1", 'only_gamma: int = 1  # a parameter of gamma alone'), extra)
    out = tmp_path / "reports"
    res = workbook("run", params_file(tmp_path, "a", only_gamma=2), "-n", "alpha", "-o", out)
    assert res.returncode == 0, res.stderr
    res = workbook("run", params_file(tmp_path, "b", only_gama=2), "-n", "alpha", "-o", out)
    assert res.returncode == 2 and "did you mean 'only_gamma'" in res.stderr


def test_sigterm_mid_run_exits_cleanly_and_keeps_earlier_reports(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert workbook("run", p, "-o", out).returncode == 0
    good = snapshot(out / "a" / "alpha")
    proc = subprocess.Popen([*WORKBOOK, "run", str(p), "-o", str(out), "--force", "-p", "sleep", "30",
                             "--name", "a"],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((out / "a").glob(".tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert snapshot(out / "a" / "alpha") == good


def test_a_changed_notebook_is_inspected_again(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "a")
    assert workbook("run", p, "-o", out, "-n", "alpha").returncode == 0
    assert workbook("run", p, "-o", out, "-n", "alpha", "-p", "colour", "red").returncode == 2
    nb = nbformat.read(books / "alpha.ipynb", as_version=4)
    nb.cells[1].source += '\ncolour: str = "blue"  # a new parameter'
    nbformat.write(nb, books / "alpha.ipynb")
    res = workbook("run", p, "-o", out, "-n", "alpha", "-p", "colour", "red")
    assert res.returncode == 0, res.stderr


def test_a_params_file_names_its_notebooks(books, tmp_path):
    out = tmp_path / "reports"
    p = params_file(tmp_path, "only", notebooks=["beta"])
    res = workbook("run", p, "-o", out)
    assert res.returncode == 0, res.stderr
    assert (out / "only" / "beta" / "metrics.json").is_file() and not (out / "only" / "alpha").exists()
    # -n narrows it further, to nothing here
    res = workbook("run", params_file(tmp_path, "typo", notebooks=["betta"]), "-o", out)
    assert res.returncode == 2 and "did you mean 'beta'" in res.stderr


def test_values_outside_a_declared_domain_exit_2_before_running(books, tmp_path):
    nb = nbformat.read(books / "alpha.ipynb", as_version=4)
    nb.cells[1].source += ('\ncolour: str = "red"  # a colour; one of: red, blue'
                           '\nrate: float = 0.5  # a share; range: (0, 1]')
    nbformat.write(nb, books / "alpha.ipynb")
    out = tmp_path / "reports"
    base = params_file(tmp_path, "base")
    res = workbook("run", base, "-n", "alpha", "-p", "colour", "green", "-o", out)
    assert res.returncode == 2 and not out.exists()
    assert "command line (-p): parameter 'colour'" in res.stderr and "red, blue" in res.stderr
    res = workbook("run", base, "-n", "alpha", "-p", "rate", "1.5", "-o", out)
    assert res.returncode == 2 and "(0, 1]" in res.stderr and "1.5" in res.stderr
    res = workbook("run", params_file(tmp_path, "f", rate=0), "-n", "alpha", "-o", out)
    assert res.returncode == 2 and "f.yaml: parameter 'rate'" in res.stderr
    assert workbook("run", base, "-n", "alpha", "-p", "rate", "1", "-o", out).returncode == 0


@pytest.mark.parametrize(
    ("notebook", "key", "value", "allowed"),
    [
        ("trends", "lang", "fr", "vi, en"),
        ("trends", "period", "fortnight", "day, week, month, quarter, year"),
        ("historical_vs_campaign", "confidence", "1.5", "(0, 1)"),
        ("historical_vs_campaign", "show_rate", "0", "(0, 1]"),
        ("donor_retention", "min_cell", "0", "[1, inf)"),
    ],
)
def test_the_notebooks_refuse_values_outside_their_domains(tmp_path, notebook, key, value, allowed):
    out = tmp_path / "reports"
    res = workbook("run", "-n", notebook, "-p", key, value, "-o", out)
    assert res.returncode == 2 and not out.exists()
    assert f"command line (-p): parameter {key!r}" in res.stderr and allowed in res.stderr


def test_a_region_may_be_a_number(tmp_path):
    from analysis.reports.trends import inputs as trend_inputs

    series = tmp_path / "by_state.csv"
    series.write_text("date,region,donations\n" + "".join(
        f"2023-0{m}-01,{r},{10 * r + m}\n" for m in range(1, 7) for r in (1, 2)))
    res = workbook("run", "-n", "trends", "-p", "timeseries_path", series, "-p", "region", "13",
                   "-o", tmp_path / "r")
    assert "expected" not in res.stderr  # a number is a region's name: the type is accepted
    assert res.returncode == 2 and "region '13' is not in the file; known: 1, 2" in res.stderr
    chosen = trend_inputs.read({"timeseries_path": series, "region": 2})["series"]
    assert len(chosen) == 12  # the preflight accepts region 2 (the notebook then selects it)


def test_the_fingerprint_covers_the_whole_package(monkeypatch):
    from analysis.run import runner

    hashed = []
    monkeypatch.setattr(runner, "_hash_files", lambda paths, digest: hashed.extend(paths))
    runner.fingerprint(ROOT / "notebooks" / "trends.ipynb", {})
    names = {p.relative_to(ROOT).as_posix() for p in hashed}
    assert {"analysis/reports/trends/compute.py", "analysis/inputs/load.py", "analysis/run/runner.py"} <= (
        names
    )
    # what shapes a report without being Python: templates, catalogues, the style sheet
    assert {
        "analysis/text/templates/vi/trends/growth.html",
        "analysis/text/locale/en/LC_MESSAGES/common.po",
        "analysis/output/report.css",
    } <= names
    assert not any("__pycache__" in n for n in names)


def test_editing_a_template_or_catalogue_changes_the_fingerprint(tmp_path):
    """A report made before a template or label was edited is no longer up to date."""
    from analysis.run import runner

    package = tmp_path / "analysis"
    (package / "text" / "templates" / "en").mkdir(parents=True)
    (package / "text" / "locale").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    template = package / "text" / "templates" / "en" / "section.html"
    catalogue = package / "text" / "locale" / "common.po"
    style = package / "report.css"
    template.write_text("<p>{{ n }} donors</p>")
    catalogue.write_text('msgid "x"\nmsgstr "donors"\n')
    style.write_text("p { color: black }")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    notebook = ROOT / "notebooks" / "trends.ipynb"

    def digest():
        return runner.fingerprint(notebook, {}, runner.code_digest(package))

    before = digest()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled again")
    assert digest() == before  # bytecode is not the source
    seen = {before}
    for path, text in ((template, "<p>{{ n }} blood donors</p>"), (catalogue, 'msgid "x"\nmsgstr "givers"\n'),
                       (style, "p { color: red }")):
        path.write_text(text)
        now = digest()
        assert now not in seen, path.name
        seen.add(now)
