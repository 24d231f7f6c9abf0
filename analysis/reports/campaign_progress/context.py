"""What each section of the campaign_progress report says: small contexts for its templates.

Every context is built from the key figures (`figures.key_figures`), the
sheet's details (`compute.details`: row counts, sums and qualifiers), the
campaign's published plan, the projection and `Safe` tables; never from the
sheet itself. A missing figure stays None, and its template says it is
missing. The interval's level comes in as a value.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.published import Campaign
from analysis.model import disclosure
from analysis.qualified import Qualified
from analysis.reports.campaign_progress.projection import Outlook


def _as_of(figs: dict) -> pd.Timestamp | None:
    return None if figs["as_of"] is None else pd.Timestamp(figs["as_of"])


def _share(part: Qualified | None, whole: Qualified | None) -> Qualified | None:
    """A share with the qualifier it can be trusted in (a lower bound over an exact target: at least)."""
    return None if part is None or whole is None or not whole.value else part / whole


def _still(figs: dict, sheet: dict) -> Qualified | None:
    """Units still needed; a lower bound collected leaves at most that much to collect."""
    if figs["units_still_needed"] is None:
        return None
    collected = sheet["units"].qualifier
    return Qualified(float(figs["units_still_needed"]), "at_most" if collected == "at_least" else collected)


def title(plan: Campaign, figs: dict) -> dict:
    return {"name": plan.name, "date": _as_of(figs)}


def key_findings(figs: dict, plan: Campaign, sheet: dict, outlook: Outlook, level: float) -> dict:
    """The headline numbers: units to date against the target, what remains, the projection."""
    final = plan.units_collected
    return {
        "date": _as_of(figs),
        "units": sheet["units"],
        "target": sheet["target"],
        "share": _share(sheet["units"], sheet["target"]),
        "held": figs["sessions_held"],
        "planned": figs["sessions_planned"],
        "remaining": figs["sessions_remaining"],
        "still": _still(figs, sheet),
        "per_session": figs["units_needed_per_remaining_session"],
        "basis": outlook.basis,
        "projected": figs["projected_final_units"],
        "low": figs["projected_final_low"],
        "high": figs["projected_final_high"],
        "level": level,
        "p": figs["p_target_met"],
        "yield_": figs["yield_to_date"],
        "final": final,
    }


def status(figs: dict, plan: Campaign, sheet: dict, sessions_path: str | None) -> dict:
    """Where the drive stands, its pace, and how the sessions were counted.

    `known` False: the sheet holds no session of the campaign (then only the
    published final result, if any, can be said).
    """
    final, target = plan.units_collected, sheet["target"]
    base = {
        "known": figs["as_of"] is not None,
        "campaign": plan.campaign_id,
        "path": sessions_path,
        "final": final if target is not None else None,
        "final_share": _share(final, target),
    }
    if not base["known"]:
        return base
    units, pace = sheet["units"], figs["pace_units"]
    return {
        **base,
        "date": _as_of(figs),
        "complete": sheet["complete"],
        "held": figs["sessions_reported"],
        "planned": plan.sessions_planned or None,
        "units": units,
        "target": target,
        "share": _share(units, target),
        "pace": pace,
        "gap": None if pace is None else units.value - pace,
        "remaining": figs["sessions_remaining"],
        "counted": figs["sessions_remaining_counted_from"],
        "pending": sheet["pending"] if sheet["complete"] else 0,
        "future": sheet["future"],
        "left_aside": sheet["left_aside"],
    }


def sites(table: disclosure.Safe) -> dict:
    """How many sites held sessions and which brought the most units (the table is sorted so)."""
    frame = disclosure.require(table).frame
    if frame.empty:
        return {"sites": 0, "top": None, "top_units": None}
    return {"sites": len(frame), "top": frame.loc[0, "site"], "top_units": frame.loc[0, "units"]}


def yield_(figs: dict, sheet: dict, hist_yield: float | None) -> dict:
    """Units per turn and deferrals of the sessions held, against history."""
    return {
        "held": figs["sessions_reported"],
        "yield_": figs["yield_to_date"],
        "turns": sheet["turns"],
        "units": sheet["units_with_turns"],
        "hist": hist_yield or None,
        "deferral": figs["deferral_rate_to_date"],
        "deferred": sheet["deferred"],
        "per_registered": figs["units_per_registered_to_date"],
    }


def needed(figs: dict, sheet: dict) -> dict:
    """What each remaining session must bring; which case (met, unknown, none left, to come)."""
    still, remaining = _still(figs, sheet), figs["sessions_remaining"]
    if figs["as_of"] is None or still is None:
        case = None
    elif still.value <= 0:
        case = "met_done" if remaining == 0 else "met"
    elif remaining is None:
        case = "unknown"
    elif remaining == 0:
        case = "none_left"
    else:
        case = "to_come"
    return {
        "case": case,
        "still": still,
        "remaining": remaining,
        "per_session": figs["units_needed_per_remaining_session"],
        "mean_held": sheet["mean_units_held"],
    }


def projection(figs: dict, plan: Campaign, sheet: dict, outlook: Outlook, level: float) -> dict:
    """The projected final total, the model it rests on and why; or why there is none."""
    basis, model = outlook.basis, outlook.model
    context = {"basis": basis, "level": level}
    if basis.startswith("none"):
        return context
    if basis == "done":
        target = sheet["target"]
        return {**context, "units": figs["units_to_date"],
                "met": target is not None and figs["units_to_date"] >= target.value}
    if basis == "held_units":
        if plan.registered is None:
            why = "no_registered_plan"
        elif figs["registered_to_date"] is None:
            why = "no_registered_sheet"
        else:
            why = "registered_used_up"
    else:
        why = None
    return {
        **context,
        "why": why,
        "rest": outlook.scale,
        "registered": plan.registered,
        "registered_held": figs["registered_to_date"],
        "remaining": figs["sessions_remaining"],
        "n": model.n_observed,
        "mean": model.mean,
        "sd": model.session_sd,
        "projected": figs["projected_final_units"],
        "low": figs["projected_final_low"],
        "high": figs["projected_final_high"],
        "p": figs["p_target_met"],
    }


def unknown(figs: dict, plan: Campaign, sheet: dict) -> dict:
    """What the report cannot say, in order (None when no session is known: `status` says it)."""
    as_of = _as_of(figs)
    if as_of is None:
        return {"known": False, "missing": []}
    checks = [
        ("incomplete", not sheet["complete"]),
        ("turns", figs["sessions_reported"] > 0 and figs["yield_to_date"] is None),
        ("planned", plan.sessions_planned is None),
        ("registered", plan.registered is None),
        ("target", sheet["target"] is None),
        ("final", plan.units_collected is None and plan.end_date is not None and as_of >= plan.end_date),
    ]
    return {"known": True, "missing": [name for name, missing in checks if missing]}
