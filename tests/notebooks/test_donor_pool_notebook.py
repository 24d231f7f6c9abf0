"""donor_pool run as a notebook on the default data: every key figure of the contract."""

from __future__ import annotations

import pytest
from test_donor_pool import CONTRACT

from analysis.inputs import published


def test_notebook_runs_on_defaults(run_notebook):
    metrics = run_notebook("donor_pool")["metrics"]
    plan = published.campaign("giotmau-2023")
    assert set(CONTRACT) <= set(metrics)
    assert metrics["as_of"] == plan.start_date.date().isoformat()
    assert metrics["target_units"] == plan.target_units
    assert metrics["pool_donors"] == metrics["active_donors"] + metrics["lapsed_donors"]
    assert metrics["eligible_active_donors"] <= min(metrics["eligible_donors"], metrics["active_donors"])
    lo, mid, hi = (metrics[f"expected_returning_donors{s}"] for s in ("_low", "", "_high"))
    assert 0 <= lo <= mid <= hi <= metrics["pool_donors"]
    assert metrics["newcomers_needed"] == pytest.approx(
        max(plan.target_units - mid * metrics["yield_used"], 0))
