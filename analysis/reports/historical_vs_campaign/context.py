"""What each section of the historical_vs_campaign report says: small contexts for its templates.

Every context is built from the key figures, the campaign's published plan,
the published snapshot of totals, the model's summary numbers and `Safe`
tables. A missing figure stays None, and its template says it is missing.
Parameters that reach the text (the interval's level, the confidence asked of
the planning view, the show rate) come in as values, never typed into a sentence.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.published import Campaign
from analysis.model import disclosure
from analysis.model.scenario import YieldModel
from analysis.qualified import Qualified


def title(plan: Campaign) -> dict:
    return {"name": plan.name}


def _history_yield(figs: dict) -> Qualified | None:
    """Units per turn with its qualifier: two bounds in the same direction give only an "about"."""
    if figs["hist_units"] is None or not figs["hist_turns"]:
        return None
    qualifier = figs["hist_qualifier"] or "exact"
    return Qualified(float(figs["hist_units"]), qualifier) / Qualified(float(figs["hist_turns"]), qualifier)


def _projected(figs: dict, registered: Qualified | None) -> Qualified | None:
    """The projection carries the registration figure's qualifier ("about 3,000" gives "about")."""
    if figs["projected_units"] is None:
        return None
    return Qualified(figs["projected_units"], registered.qualifier if registered is not None else "exact")


def _no_projection(figs: dict, model: YieldModel | None, registered: Qualified | None) -> str | None:
    """Why there is no projection (None when there is one)."""
    if model is None:
        return "no_history"
    if registered is None or figs["required_yield"] is None:
        return "no_registered"
    return None


def key_findings(figs: dict, plan: Campaign, registered: Qualified | None,
                 model: YieldModel | None, level: float) -> dict:
    """The headline numbers: target, historical yield, required yield, projection and its chance."""
    hist = _history_yield(figs)
    required = figs["required_yield"]
    return {
        "year": plan.year,
        "target": figs["campaign_target_units"],
        "registered": registered,
        "hist_yield": hist,
        "required": required,
        "above": None if required is None or hist is None else required > hist.value,
        "why_none": _no_projection(figs, model, registered),
        "projected": _projected(figs, registered),
        "low": figs["projected_units_low"],
        "high": figs["projected_units_high"],
        "level": level,
        "p": figs["p_target_met"],
    }


def history(figs: dict, snapshot: pd.Series | None) -> dict:
    """The published totals before the campaign; `known` False when there are none."""
    if snapshot is None:
        return {"known": False}
    qualifier = figs["hist_qualifier"] or "exact"
    ratio = _history_yield(figs)
    by_year = snapshot.get("as_of_precision") == "year"
    return {
        "known": True,
        "year": int(snapshot["as_of"].year) if by_year else None,
        "date": None if by_year else snapshot["as_of"],
        "turns": Qualified(float(figs["hist_turns"]), qualifier),
        "units": Qualified(float(figs["hist_units"]), qualifier),
        "yield_": ratio,
        "loss": 1 - ratio.value,
    }


def _share(figs: dict) -> Qualified | None:
    """The target's share of history; a lower bound on history makes it an upper bound."""
    if figs["target_share_of_history"] is None:
        return None
    history_units = Qualified(float(figs["hist_units"]), figs["hist_qualifier"] or "exact")
    return float(figs["campaign_target_units"]) / history_units


def plan(figs: dict, plan: Campaign, registered: Qualified | None) -> dict:
    """Where and when, the target, the registrations and the target's share of history."""
    return {
        "year": plan.year,
        "sessions": figs["campaign_sessions"],
        "sites": figs["campaign_sites"],
        "start": plan.start_date,
        "end": plan.end_date,
        "days": figs["campaign_days"],
        "target": figs["campaign_target_units"],
        "registered": registered,
        "share": _share(figs),
    }


def required(figs: dict, registered: Qualified | None, show_rate: float,
             model: YieldModel | None) -> dict:
    """The yield the target asks of each turn against history, or why it cannot be said."""
    why = _no_projection(figs, model, registered)
    if why is not None:
        return {"why_none": why}
    return {
        "why_none": None,
        "presenting": registered * show_rate,
        "show_rate": show_rate,
        "required": figs["required_yield"],
        "hist_yield": figs["hist_yield"],
        "above": figs["required_yield"] > figs["hist_yield"],
    }


def projection(figs: dict, model: YieldModel, registered: Qualified | None, level: float) -> dict:
    """The model, the projected total with its `level` interval, and the chance of the target."""
    return {
        "n_obs": model.n_observed,
        "sd": model.session_sd,
        "n_sessions": model.n_sessions,
        "projected": _projected(figs, registered),
        "low": figs["projected_units_low"],
        "high": figs["projected_units_high"],
        "level": level,
        "p": figs["p_target_met"],
    }


def pace(figs: dict) -> dict:
    return {"per_session": figs["units_per_session_needed"], "per_day": figs["units_per_day_needed"]}


def planning(table: disclosure.Safe, confidence: float, show_rate: float,
             registered: Qualified) -> dict:
    """Registrations needed for the chosen confidence, read from the planning table."""
    frame = disclosure.require(table).frame.set_index("confidence")
    need = frame.loc[confidence, "registrations_needed"]
    return {
        "confidence": confidence,
        "need": None if pd.isna(need) else int(need),
        "show_rate": show_rate,
        "registered": registered,
    }
