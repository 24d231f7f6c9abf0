"""What each section of the campaign_comparison report says: small contexts for its templates.

Built from the key figures and the editions table, which counts no people
(units, sessions, targets): a missing figure reaches the text as None and the
template says it is missing.
"""

from __future__ import annotations

import pandas as pd

from analysis.qualified import Qualified


def _q(row: pd.Series, key: str) -> Qualified | None:
    value = row[key]
    return None if pd.isna(value) else Qualified(float(value), row[key + "_qualifier"] or "exact")


def _edition(row: pd.Series) -> dict:
    name = row["name"] if isinstance(row["name"], str) and row["name"] else row["campaign_id"]
    return {"id": row["campaign_id"], "name": name,
            "target": _q(row, "target_units"), "units": _q(row, "units_collected"),
            "achievement": _q(row, "achievement")}


def title(table: pd.DataFrame) -> dict:
    return {"editions": len(table)}


def findings(figs: dict, table: pd.DataFrame) -> dict:
    results = [_edition(r) for _, r in table[table["units_collected"].notna()].iterrows()]
    by_id = {r["campaign_id"]: r for _, r in table.iterrows()}
    return {
        "editions": figs["editions"], "with_result": figs["editions_with_result"], "results": results,
        "without": [_edition(r) for _, r in table[table["units_collected"].isna()].iterrows()],
        "mean": None if figs["mean_achievement"] is None
        else Qualified(figs["mean_achievement"], figs["mean_achievement_qualifier"]),
        "best": None if figs["best_edition"] is None else _edition(by_id[figs["best_edition"]]),
        "growth": None if figs["target_growth_per_year"] is None
        else Qualified(abs(figs["target_growth_per_year"]), figs["target_growth_per_year_qualifier"]),
        "growth_down": figs["target_growth_per_year"] is not None and figs["target_growth_per_year"] < 0,
        "growth_from": None if figs["growth_from"] is None else _edition(by_id[figs["growth_from"]]),
        "growth_to": None if figs["growth_to"] is None else _edition(by_id[figs["growth_to"]]),
    }


def table_notes(table: pd.DataFrame, sessions_published: bool) -> dict:
    lower = table[(table["sessions_qualifier"] == "at_least") | (table["sites_qualifier"] == "at_least")]
    return {"sessions_published": sessions_published,
            "lower_bounds": [_edition(r) for _, r in lower.iterrows()]}
