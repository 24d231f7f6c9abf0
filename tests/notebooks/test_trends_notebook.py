"""trends run as a notebook: key figures, tables and charts against plain pandas."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from test_trends import CONTRACT, by_hand, recent_by_hand, simulated


def _outputs(notebook: dict) -> list[dict]:
    return [o for c in notebook["cells"] for o in c.get("outputs", [])]


def test_notebook_on_defaults(run_notebook, tmp_path):
    metrics = run_notebook("trends")["metrics"]
    assert set(CONTRACT) <= set(metrics)
    assert metrics["period_start"] == "2013" and metrics["period_end"] == "2024"
    assert metrics["seasonal_amplitude"] is None and metrics["growth_rate_recent"] is None
    assert math.isclose(metrics["growth_rate"], (1.7 / 1.0) ** (1 / 11) - 1)
    outputs = _outputs(json.loads((tmp_path / "trends" / "notebook.ipynb").read_text("utf-8")))
    assert not [o for o in outputs if o.get("name") == "stderr" or o["output_type"] == "error"]


def test_notebook_on_a_daily_regional_file(run_notebook, tmp_path):
    sim = simulated()
    path = tmp_path / "daily.csv"
    sim.to_csv(path, index=False, date_format="%Y-%m-%d")
    metrics = run_notebook("trends", timeseries_path=str(path), period="month", lang="en")["metrics"]
    daily = by_hand(sim)
    assert metrics["total_donations"] == int(daily.sum())
    assert metrics["growth_rate_recent"] == pytest.approx(recent_by_hand(daily))
    assert (metrics["period_start"], metrics["period_end"]) == ("2012-03", "2024-07")
    assert metrics["partial_periods"] == 2
    out = tmp_path / "trends"
    assert {p.stem for p in (out / "figures").glob("*.png")} == {
        "series", "annual_change", "seasonal_profile", "stl_decomposition", "breakdown_shares", "regions"}
    by_period = pd.read_csv(out / "tables" / "by_period.csv")
    assert len(by_period) == 149 and by_period["donations"].sum() == daily.sum()
    starts = pd.read_csv(out / "tables" / "region_starts.csv")
    assert starts.set_index("region").loc["Trung", "first_date"] == "2016-04-10"
    outputs = _outputs(json.loads((out / "notebook.ipynb").read_text("utf-8")))
    assert not [o for o in outputs if o.get("name") == "stderr" or o["output_type"] == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    alts = re.findall(r'<img[^>]*alt="([^"]*)"', html)
    assert len(alts) == 6 and all(len(a) > 40 for a in alts)
    assert html.index('class="key-findings"') < html.index("<img")
    assert "tables/by_period.csv" in html  # the table was cut, and says where the rest is
