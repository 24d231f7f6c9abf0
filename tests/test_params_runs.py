"""Every params file runs through the runner; every report carries the contract's key figures."""

from __future__ import annotations

import json

import yaml
from conftest import ROOT

# The key figures the contract names for each notebook (brief/contract.md).
CONTRACT = {
    "historical_vs_campaign": [
        "hist_turns",
        "hist_units",
        "hist_yield",
        "campaign_target_units",
        "campaign_registered",
        "campaign_sessions",
        "campaign_sites",
        "campaign_days",
        "required_yield",
        "projected_units",
        "projected_units_low",
        "projected_units_high",
        "p_target_met",
        "target_share_of_history",
        "units_per_session_needed",
        "units_per_day_needed",
    ],
    "campaign_progress": [
        "as_of",
        "sessions_held",
        "units_to_date",
        "pct_of_target",
        "units_needed_per_remaining_session",
        "projected_final_units",
        "projected_final_low",
        "projected_final_high",
        "p_target_met",
        "yield_to_date",
    ],
    "trends": [
        "period_start",
        "period_end",
        "total_donations",
        "periods",
        "growth_rate",
        "peak_period",
        "trough_period",
        "seasonal_amplitude",
    ],
    "donor_retention": [
        "donors",
        "visits",
        "visits_per_donor",
        "repeat_donor_share",
        "share_10_plus",
        "median_return_days",
        "share_returns_under_min_interval",
        "return_within_12m",
        "return_within_24m",
    ],
    "donor_pool": [
        "pool_donors",
        "eligible_donors",
        "active_donors",
        "eligible_active_donors",
        "lapsed_donors",
        "expected_returning_donors",
        "expected_returning_donors_low",
        "expected_returning_donors_high",
        "newcomers_needed",
        "newcomers_needed_low",
        "newcomers_needed_high",
    ],
    "campaign_comparison": [
        "editions",
        "editions_with_result",
        "mean_achievement",
        "best_edition",
        "target_growth_per_year",
    ],
}
CONTRACT_TABLES = {"trends": "by_period.csv", "donor_retention": "cohort_retention.csv",
                   "campaign_comparison": "editions.csv"}
META = {"run", "notebook", "params", "inputs", "data_kind", "generated_at", "versions"}


def test_every_params_file_publishes_every_notebook(fresh_reports):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert set(notebooks) == set(CONTRACT)
    for run in runs:
        named = yaml.safe_load((ROOT / "params" / f"{run}.yaml").read_text("utf-8")) or {}
        for notebook in named.get("notebooks") or notebooks:  # a params file may name its notebooks
            folder = out / run / notebook
            payload = json.loads((folder / "metrics.json").read_text("utf-8"))
            missing = [k for k in CONTRACT[notebook] if k not in payload["metrics"]]
            assert not missing, f"{run}/{notebook} lacks {missing}"
            assert META <= set(payload["meta"]), f"{run}/{notebook} meta incomplete"
            assert payload["meta"]["data_kind"] in ("real", "simulated", "mixed")
            for inp in payload["meta"]["inputs"]:
                assert set(inp) == {"path", "sha256", "kind", "rows"} and len(inp["sha256"]) == 64
                assert inp["kind"] in ("published", "real", "simulated")
                assert inp["rows"] is None or inp["rows"] >= 0
            if notebook in CONTRACT_TABLES:
                assert (folder / "tables" / CONTRACT_TABLES[notebook]).is_file()
        assert (out / run / "summary.xlsx").is_file()


def expected_kind(path: str) -> str:
    if path.startswith("data/example/"):
        return "simulated"
    return "published" if path.startswith("data/published/") else "real"


def test_inputs_are_labelled_by_kind(fresh_reports):
    out, _ = fresh_reports
    for metrics in out.glob("*/*/metrics.json"):
        meta = json.loads(metrics.read_text("utf-8"))["meta"]
        kinds = {i["kind"] for i in meta["inputs"]}
        assert all(i["kind"] == expected_kind(i["path"]) for i in meta["inputs"]), meta["inputs"]
        assert meta["data_kind"] == ("simulated" if kinds == {"simulated"} else
                                     "mixed" if "simulated" in kinds else "real")
        if "simulated" in kinds:
            assert meta["data_kind"] in ("simulated", "mixed")
            assert (
                "mô phỏng" in (metrics.parent / "report.html").read_text("utf-8").lower()
                or "simulated" in (metrics.parent / "report.html").read_text("utf-8").lower()
            )
