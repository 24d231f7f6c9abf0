"""The key figures of `campaign_progress` and the published sources behind them."""

from __future__ import annotations

import pandas as pd

from analysis.model import scenario
from analysis.reports.campaign_progress.compute import (
    Progress,
    pace_units,
    ratio_over,
    registered_to_date,
    sessions_remaining,
    units_to_date,
)
from analysis.reports.campaign_progress.projection import Outlook

KEY_METRICS = (
    "as_of", "sessions_held", "units_to_date", "pct_of_target",
    "units_needed_per_remaining_session", "projected_final_units", "projected_final_low",
    "projected_final_high", "p_target_met", "yield_to_date",
)


def _whole(value: float | None) -> int | float | None:
    """A count as an int (metrics.json shows 2348, not 2348.0)."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def key_figures(p: Progress, outlook: Outlook) -> dict[str, object]:
    """The contract's key figures of `campaign_progress`, then a few more.

    Null where unknown: no session of the campaign in the sheet nulls them all;
    an incomplete sheet nulls the sessions held and everything that needs them.
    """
    units = units_to_date(p)
    target = None if p.target is None else p.target.value
    n_rem, counted = sessions_remaining(p)
    still = None if units is None or target is None else max(target - units.value, 0.0)
    yield_, _ = ratio_over(p.held, "units", "turns")
    deferral, _ = ratio_over(p.held, "deferred", "turns")
    per_registered, _ = ratio_over(p.held, "units", "registered")
    proj = outlook.projection
    final = p.plan.units_collected
    known = p.as_of is not None
    return {
        "as_of": p.as_of.date().isoformat() if known else None,
        "sessions_held": len(p.held) if known and p.complete else None,
        "units_to_date": _whole(units.value) if units is not None else None,
        "pct_of_target": units.value / target if units is not None and target else None,
        "units_needed_per_remaining_session": still / n_rem if still is not None and n_rem else None,
        "projected_final_units": proj.expected if proj else None,
        "projected_final_low": proj.low if proj else None,
        "projected_final_high": proj.high if proj else None,
        "p_target_met": proj.p_target_met if proj else None,
        "yield_to_date": yield_ if known else None,
        # more figures
        "units_to_date_qualifier": units.qualifier if units is not None else None,
        "target_units": _whole(target),
        "sessions_planned": p.plan.sessions_planned,
        "sessions_remaining": n_rem,
        "sessions_remaining_counted_from": counted,
        "sessions_reported": len(p.held) if known else 0,
        "units_still_needed": _whole(still),
        "pace_units": pace_units(p),
        "registered_to_date": _whole(registered_to_date(p)) if known else None,
        "units_per_registered_to_date": per_registered if known else None,
        "deferral_rate_to_date": deferral if known else None,
        "projection_basis": outlook.basis,
        "final_units_published": _whole(final.value) if final is not None else None,
    }


def sources_used(
    p: Progress,
    outlook: Outlook,
    snapshot: pd.Series | None,
    yield_sessions: pd.DataFrame,
    sources: pd.DataFrame,
) -> list[str]:
    """The published sources behind the report's figures, as ids of `sources`."""

    def split(value) -> list[str]:
        return [] if value is None or pd.isna(value) else str(value).split(";")

    ids = list(p.plan.source_ids)
    if "source_id" in p.held:
        ids += [i for v in p.held["source_id"] for i in split(v)]
    if p.checkpoint is not None:
        ids += split(p.checkpoint.get("source_id"))
    if snapshot is not None:
        ids += split(snapshot.get("source_id"))
    if outlook.basis == "history_yield":
        usable = scenario.session_yields(yield_sessions).index
        ids += [i for v in yield_sessions.loc[usable, "source_id"] for i in split(v)]
    known = set(sources["source_id"])
    return [i for i in dict.fromkeys(ids) if i in known]
