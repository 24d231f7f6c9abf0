"""A campaign's plan set against the published history: dates, the snapshot, the yield model."""

from __future__ import annotations

import pandas as pd

from analysis.inputs.published import Campaign, totals_before
from analysis.model.scenario import YieldModel, session_yields, yield_model
from analysis.qualified import Qualified


def campaign_days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Calendar days of a campaign, both ends included (4–25 Aug is 22)."""
    return int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1


def whole(value: float | None) -> float | int | None:
    """A count read as a float (3000.0) shown as the whole number it is."""
    return int(value) if value is not None and float(value).is_integer() else value


def historical_yield(turns: float, units: float) -> float:
    """Units per donation turn."""
    return float(units) / float(turns)


def registered_for(plan: Campaign, registered: float | None) -> Qualified | None:
    """The registration figure to use: the parameter if given, else the campaign's own."""
    if registered is not None:
        return Qualified(float(registered))
    return plan.registered


def sessions_for_model(plan: Campaign) -> int:
    """Sessions planned; when unpublished, one per site (or one in all)."""
    return plan.sessions_planned or plan.sites_planned or 1


def snapshot_before(plan: Campaign, totals: pd.DataFrame) -> pd.Series | None:
    """The latest published totals on or before the campaign's start; None if there are none."""
    try:
        return totals_before(reference_date(plan), totals)
    except LookupError:
        return None


def model_for(plan: Campaign, snapshot: pd.Series | None, yield_sessions: pd.DataFrame) -> YieldModel | None:
    """The scenario model centred on the historical yield, spread from published sessions."""
    if snapshot is None:
        return None
    return yield_model(
        historical_yield(snapshot["turns"], snapshot["units"]),
        session_yields(yield_sessions),
        sessions_for_model(plan),
    )


def reference_date(plan: Campaign) -> pd.Timestamp:
    """The campaign's start, or 1 January of its year when the start is not published."""
    return plan.start_date if plan.start_date is not None else pd.Timestamp(plan.year, 1, 1)
