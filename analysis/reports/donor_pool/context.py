"""What each section of the donor_pool report says: small contexts for its templates.

Every context is built from the key figures (read from protected tables) and
from tables that passed the small-cell rule (`disclosure.Safe`), never from the
per-donor frame, so no hidden cell can reach a sentence.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.published import Campaign
from analysis.model import disclosure
from analysis.reports.donor_pool.compute import LEVEL


def _date(value: str | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def _count(table: disclosure.Safe, key: str, value: str) -> int | None:
    frame = disclosure.require(table).frame
    rows = frame.loc[frame[key] == value, "donors"] if len(frame) else pd.Series(dtype=float)
    return None if rows.empty or pd.isna(rows.iloc[0]) else int(rows.iloc[0])


def title(plan: Campaign, figs: dict) -> dict:
    return {"name": plan.name, "as_of": _date(figs["as_of"])}


def dated(plan: Campaign, figs: dict, min_interval_days: int, active_months: int) -> dict:
    """Whether the pool could be counted, and the rules it was counted by."""
    return {"has_date": figs["as_of"] is not None, "campaign_id": plan.campaign_id,
            "as_of": _date(figs["as_of"]), "min_interval_days": min_interval_days,
            "active_months": active_months}


def findings(figs: dict, phases: disclosure.Safe, min_interval_days: int, active_months: int) -> dict:
    return {**figs, "as_of": _date(figs["as_of"]), "start": _date(figs["window_start"]),
            "end": _date(figs["window_end"]), "off_wait": _count(phases, "phase", "off_wait"),
            "min_interval_days": min_interval_days, "active_months": active_months, "level": LEVEL}


def pool(figs: dict, status: disclosure.Safe, min_interval_days: int, active_months: int) -> dict:
    """The pool's size and its three statuses (None where the cell is hidden)."""
    as_of, end = _date(figs["as_of"]), _date(figs["data_end"])
    return {"as_of": as_of, "data_end": end, "gap_days": None if end is None else (as_of - end).days,
            "has_visits": figs["pool_donors"] != 0,
            "pool": figs["pool_donors"], "eligible": figs["eligible_donors"],
            "active": figs["active_donors"], "min_cell": disclosure.require(status).min_cell,
            "min_interval_days": min_interval_days, "active_months": active_months,
            **{s: _count(status, "status", s) for s in ("eligible_active", "waiting", "lapsed")}}


def groups(tables: dict[str, disclosure.Safe]) -> dict:
    """Which breakdowns the file allows (site, sex, age band)."""
    return {"has": {name: bool(len(disclosure.require(t))) for name, t in tables.items()}}


def wait(figs: dict, phases: disclosure.Safe, min_interval_days: int) -> dict:
    return {"has_window": figs["window_start"] is not None, "start": _date(figs["window_start"]),
            "end": _date(figs["window_end"]), "days": figs["window_days"],
            "min_interval_days": min_interval_days, "min_cell": disclosure.require(phases).min_cell,
            **{p: _count(phases, "phase", p) for p in ("eligible_at_start", "off_wait", "still_waiting")}}


def returning(figs: dict, end_of_data: pd.Timestamp | None) -> dict:
    return {"expected": figs["expected_returning_donors"], "low": figs["expected_returning_donors_low"],
            "high": figs["expected_returning_donors_high"], "level": LEVEL,
            "start": _date(figs["window_start"]), "end": _date(figs["window_end"]),
            "end_of_data": end_of_data, "observed": figs["observed_returning_donors"]}


def newcomers(figs: dict, has_outcome: bool) -> dict:
    needed = figs["core_registrations_needed"]
    expected = figs["expected_returning_donors"]
    rest = None if needed is None or expected is None else max(needed - expected, 0.0)
    units = None if expected is None else expected * figs["yield_used"]
    return {"target": figs["target_units"], "yield_used": figs["yield_used"], "has_outcome": has_outcome,
            "expected": expected, "units_returning": units,
            "needed": figs["newcomers_needed"], "low": figs["newcomers_needed_low"],
            "high": figs["newcomers_needed_high"], "registrations": needed, "rest": rest, "level": LEVEL}
