"""donor_retention run as a notebook on the default data: every key figure of the contract."""

from __future__ import annotations

from test_retention import CONTRACT


def test_notebook_on_defaults(run_notebook):
    out = run_notebook("donor_retention")
    assert set(CONTRACT) | {"deferral_rate"} <= set(out["metrics"])
    assert out["meta"]["data_kind"] == "simulated"
