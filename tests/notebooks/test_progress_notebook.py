"""campaign_progress run as a notebook: key figures of a hand-made sheet, checked by plain arithmetic."""

from __future__ import annotations

import pandas as pd
import papermill
import pytest
import yaml
from conftest import ROOT
from test_progress import SHEET, write_sheet

from analysis import config

TARGET, PLANNED, REGISTERED = 2300, 13, 3000  # giotmau-2023 as published


# the same sheet as an organiser might head it, read through sessions_columns
OWN_HEADERS = {
    "session_date": "Ngày tổ chức", "site": "Đơn vị", "registered": "Đăng ký",
    "turns": "Lượt đến", "deferred": "Không đạt", "units": "Thu được",
}


def expected(as_of: str | None) -> dict:
    """The key figures by hand."""
    held = [r for r in SHEET if as_of is None or r[0] <= as_of]
    units = sum(r[5] for r in held)
    return {
        "as_of": as_of or SHEET[-1][0],
        "sessions_held": len(held),
        "units_to_date": units,
        "pct_of_target": units / TARGET,
        "yield_to_date": units / sum(r[3] for r in held),
        "units_needed_per_remaining_session": (TARGET - units) / (PLANNED - len(held)),
        "deferral_rate_to_date": sum(r[4] for r in held) / sum(r[3] for r in held),
        "registered_to_date": sum(r[2] for r in held),
    }


@pytest.mark.parametrize(
    "as_of, own_headers, basis",
    [
        ("2023-08-04", False, "history_yield"),  # one session: historical yield
        ("2023-08-10", True, "held_yield"),  # four sessions, the organiser's own headers
        (None, False, "held_yield"),  # the last session in the sheet
    ],
)
def test_notebook_key_figures(run_notebook, tmp_path, as_of, own_headers, basis):
    sheet = write_sheet(tmp_path, headers=OWN_HEADERS if own_headers else None)
    metrics = run_notebook(
        "campaign_progress", sessions_path=str(sheet), as_of=as_of, lang="en",
        sessions_columns=OWN_HEADERS if own_headers else None,
    )["metrics"]
    for name, value in expected(as_of).items():
        assert metrics[name] == pytest.approx(value), name
    assert metrics["projection_basis"] == basis
    assert metrics["projected_final_low"] <= metrics["projected_final_units"]
    assert metrics["projected_final_units"] <= metrics["projected_final_high"]
    assert metrics["projected_final_low"] >= metrics["units_to_date"]
    assert 0 < metrics["p_target_met"] < 1
    out = tmp_path / "campaign_progress"
    by_site = pd.read_csv(out / "tables" / "by_site.csv", encoding="utf-8-sig")
    assert by_site["units"].sum() == metrics["units_to_date"]
    assert by_site["sessions"].sum() == metrics["sessions_held"]
    assert {"cumulative_units.png", "by_site.png", "units_per_session.png"} <= {
        p.name for p in (out / "figures").iterdir()
    }


@pytest.mark.slow
def test_notebook_refuses_as_of_after_the_end(tmp_path):
    sheet = write_sheet(tmp_path)
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "campaign_progress.ipynb"), str(tmp_path / "out.ipynb"),
            parameters=dict(sessions_path=str(sheet), as_of="2023-09-01"),
            kernel_name="python3", progress_bar=False, cwd=str(ROOT),
        )
    assert err.value.ename == "ProgressError"
    assert "after the end of giotmau-2023" in err.value.evalue


def test_params_2020_report_what_is_known(run_notebook):
    params = yaml.safe_load((config.PARAMS / "campaign_2020.yaml").read_text("utf-8"))
    metrics = run_notebook("campaign_progress", **params)["metrics"]
    assert metrics["as_of"] == "2020-04-23"
    assert metrics["units_to_date"] == 1700  # "more than 1,700 by 15:30", checkpoints.csv
    assert metrics["units_to_date_qualifier"] == "at_least"
    assert metrics["pct_of_target"] == pytest.approx(1700 / 5000)
    assert metrics["final_units_published"] == 6157
    for unknown in ("sessions_held", "yield_to_date", "units_needed_per_remaining_session",
                    "projected_final_units", "p_target_met"):
        assert metrics[unknown] is None, unknown
