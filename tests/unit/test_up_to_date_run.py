"""A run whose reports are all up to date: it renders nothing again and imports no data library.

The time itself is measured in benchmarks/ (`make bench`), never asserted here; these
tests hold the two things that make it short.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

from analysis.output import index


def _report(out, run, notebook, status, figures):
    folder = out / run / notebook
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text("<html></html>", "utf-8")
    meta = {"params": {"lang": "vi"}, "title": notebook, "data_kind": "simulated",
            "inputs": [{"path": "data/example/v.csv", "sha256": "0" * 64, "kind": "simulated"}]}
    (folder / "metrics.json").write_text(json.dumps({"metrics": figures, "meta": meta}), "utf-8")
    (out / run / index.STATUS_FILE).write_text(json.dumps(
        {notebook: {"status": status, "seconds": 0.0, "message": "", "finished_at": "2026-01-02T03:04:05"}}))


def test_the_index_is_rendered_again_only_when_what_it_shows_changed(tmp_path):
    code = [b"package files"]
    _report(tmp_path, "default", "donor_retention", "ok", {"donors": 6127})
    assert index.write_index(tmp_path, code)
    page = (tmp_path / "index.html").read_text("utf-8")
    assert not index.write_index(tmp_path, code)  # same files, same code: left as it is
    assert (tmp_path / "index.html").read_text("utf-8") == page
    _report(tmp_path, "default", "donor_retention", "up to date", {"donors": 6127})
    assert index.write_index(tmp_path, code)  # a status changed
    assert (tmp_path / "index.html").read_text("utf-8") != page
    assert not index.write_index(tmp_path, code)
    (tmp_path / "default" / "donor_retention" / "report.pdf").write_bytes(b"%PDF-1.4")
    assert index.write_index(tmp_path, code)  # a PDF appeared: its link
    assert 'href="default/donor_retention/report.pdf"' in (tmp_path / "index.html").read_text("utf-8")
    assert index.write_index(tmp_path, [b"package files, edited"])  # a template or a label changed
    assert index.write_index(tmp_path)  # without the code's digest: always written


PROBE = """
import json, sys
from pathlib import Path
from analysis.run import runner
from analysis.output import index
out = Path(sys.argv[1])
index.render_index(out)
print(json.dumps(sorted(m for m in ("pandas", "numpy", "pyarrow", "duckdb", "IPython", "nbconvert")
                        if m in sys.modules)))
"""


def test_the_up_to_date_path_imports_no_data_library(tmp_path):
    """The runner, the parameters and the index page (key figures from JSON) without pandas."""
    _report(tmp_path, "default", "donor_retention", "up to date", {"donors": 6127, "visits_per_donor": 1.52})
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
