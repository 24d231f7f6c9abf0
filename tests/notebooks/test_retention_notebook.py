"""donor_retention run as a notebook on the default data: every key figure of the contract."""

from __future__ import annotations

from test_retention import CONTRACT


def test_notebook_on_defaults(run_notebook):
    out = run_notebook("donor_retention")
    assert set(CONTRACT) | {"deferral_rate"} <= set(out["metrics"])
    assert out["meta"]["data_kind"] == "simulated"


def test_notebook_reads_a_large_file_through_duckdb(run_notebook, monkeypatch):
    """The example visits as a large file would be read (in the kernel): the same key figures."""
    plain = run_notebook("donor_retention")["metrics"]
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    through_duckdb = run_notebook("donor_retention")["metrics"]
    assert through_duckdb == plain
