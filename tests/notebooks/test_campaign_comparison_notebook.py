"""campaign_comparison run as a notebook on the default data: its key figures and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import config


def test_notebook_runs_on_defaults(run_notebook):
    metrics = run_notebook("campaign_comparison")["metrics"]
    raw = pd.read_csv(config.CAMPAIGNS_CSV, parse_dates=["start_date"])
    with_result = raw.dropna(subset=["units_collected"])
    assert metrics["editions"] == len(raw)
    assert metrics["editions_with_result"] == len(with_result) == 1  # 2020 only
    row = with_result.iloc[0]
    assert metrics["best_edition"] == row["campaign_id"]
    assert metrics["mean_achievement"] == pytest.approx(row["units_collected"] / row["target_units"])
    assert metrics["mean_achievement_qualifier"] == "about"  # "about 5,000" was the 2020 plan
    targeted = raw.dropna(subset=["target_units", "start_date"]).sort_values("start_date")
    years = (targeted["start_date"].iloc[-1] - targeted["start_date"].iloc[0]).days / 365.25
    growth = (targeted["target_units"].iloc[-1] / targeted["target_units"].iloc[0]) ** (1 / years) - 1
    assert metrics["target_growth_per_year"] == pytest.approx(growth)
    assert not np.isnan(growth)
