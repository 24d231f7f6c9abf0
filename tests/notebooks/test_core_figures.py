"""The core notebook's key figures against arithmetic done here, without the package.

The inputs are read from data/published/ with the csv module (the figures are
entered there once, with their sources), then checked against the brief's
published numbers and recomputed by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import statistics

import numpy as np
import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # runs the core notebook


def _rows(name):
    with open(ROOT / "data" / "published" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def published():
    totals = next(r for r in _rows("totals.csv") if r["as_of"] == "2023-08-04")
    plan = next(r for r in _rows("campaigns.csv") if r["campaign_id"] == "giotmau-2023")
    sessions = [r for r in _rows("sessions.csv") if r["registered"] and r["units_qualifier"] == "exact"]
    return totals, plan, sessions


@pytest.fixture(scope="module")
def core_run(tmp_path_factory):
    """The core notebook on its defaults (Vietnamese), run once for every check below."""
    from conftest import execute

    folder = tmp_path_factory.mktemp("core")
    return execute("historical_vs_campaign", folder)["metrics"], folder


@pytest.fixture(scope="module")
def metrics(core_run):
    return core_run[0]


def test_published_inputs_are_the_briefs(published):
    totals, plan, _ = published
    assert (int(totals["turns"]), int(totals["units"])) == (26203, 22348)
    assert (int(plan["target_units"]), int(plan["sessions_planned"]), int(plan["sites_planned"])) == (
        2300,
        13,
        12,
    )
    assert (plan["start_date"], plan["end_date"], int(plan["registered"])) == (
        "2023-08-04",
        "2023-08-25",
        3000,
    )


def test_history_and_plan(metrics, published):
    totals, plan, _ = published
    turns, units = int(totals["turns"]), int(totals["units"])
    assert metrics["hist_turns"] == turns
    assert metrics["hist_units"] == units
    assert metrics["hist_yield"] == pytest.approx(units / turns)
    assert round(metrics["hist_yield"], 4) == 0.8529
    days = (dt.date.fromisoformat(plan["end_date"]) - dt.date.fromisoformat(plan["start_date"])).days + 1
    assert metrics["campaign_days"] == days == 22
    assert metrics["campaign_sessions"] == 13 and metrics["campaign_sites"] == 12
    assert metrics["campaign_target_units"] == 2300
    assert metrics["campaign_registered"] == 3000


def test_targets_and_ratios(metrics):
    assert metrics["required_yield"] == pytest.approx(2300 / 3000)
    assert round(metrics["required_yield"], 3) == 0.767
    assert metrics["units_per_session_needed"] == pytest.approx(2300 / 13)
    assert round(metrics["units_per_session_needed"], 1) == 176.9
    assert metrics["units_per_day_needed"] == pytest.approx(2300 / 22)
    assert round(metrics["units_per_day_needed"], 1) == 104.5
    assert metrics["target_share_of_history"] == pytest.approx(2300 / 22348)
    assert round(100 * metrics["target_share_of_history"], 1) == 10.3


def test_projection_is_registered_times_show_rate_times_yield(metrics):
    assert metrics["projected_units"] == pytest.approx(3000 * 1.0 * 22348 / 26203)
    assert round(metrics["projected_units"]) == 2559  # the brief: about 2,559 units


def test_interval_and_chance_match_a_simulation(metrics, published):
    """Draw each session's yield around the historical yield with the published spread."""
    _, _, sessions = published
    yields = [int(s["units"]) / int(s["registered"]) for s in sessions]
    sd = statistics.stdev(yields)
    rng = np.random.default_rng(7)
    draws = (rng.normal(22348 / 26203, sd, size=(200_000, 13)) * (3000 / 13)).sum(axis=1)
    low, high = np.quantile(draws, [0.05, 0.95])
    assert metrics["projected_units_low"] == pytest.approx(low, rel=0.005)
    assert metrics["projected_units_high"] == pytest.approx(high, rel=0.005)
    assert metrics["p_target_met"] == pytest.approx((draws >= 2300).mean(), abs=0.005)
    assert 0 < metrics["p_target_met"] < 1 and not math.isnan(metrics["p_target_met"])


def test_english_report_formats_numbers_the_english_way(tmp_path):
    from conftest import execute

    execute("historical_vs_campaign", tmp_path, lang="en")
    text = (tmp_path / "historical_vs_campaign" / "notebook.ipynb").read_text("utf-8")
    assert "26,203" in text and "26.203" not in text


def test_vietnamese_report_formats_numbers_the_vietnamese_way(core_run):
    text = (core_run[1] / "historical_vs_campaign" / "notebook.ipynb").read_text("utf-8")
    assert "26.203" in text and "0,8529" in text
