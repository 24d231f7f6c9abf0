"""The projection of a campaign's final total from its sessions so far (`outlook`).

The scenario model of `analysis.model.scenario`, applied to the sessions that
remain: by the registrations still to come when the sheet and the campaign give
them, else by the units of the sessions held.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.model import scenario
from analysis.reports.campaign_progress.compute import (
    Progress,
    registered_to_date,
    sessions_remaining,
    units_to_date,
)

LEVEL = 0.9  # the projection's interval: projected_final_low/high are its ends


@dataclass(frozen=True)
class Outlook:
    """The projection of the final total and what it rests on."""

    projection: scenario.Projection | None
    basis: str  # held_yield, history_yield, held_units, done, none_*
    model: scenario.YieldModel | None = None
    scale: float | None = None  # officers still to come, or remaining sessions
    registered_rest: float | None = None


def outlook(
    p: Progress,
    hist_yield: float | None,
    published_yields: pd.Series,
    level: float = LEVEL,
) -> Outlook:
    """Final total = units to date + the remaining sessions under the scenario model.

    The remaining sessions' registrations are the campaign's registered minus
    those registered at sessions held, spread evenly over them. Their yield
    (units per registered officer) is measured on the held sessions once two
    of them give registrations (`scenario.held_model`); before that it is the
    historical yield with the spread of the published sessions, as in the
    plan report (`scenario.yield_model`). When registrations are missing (in
    the sheet or in the campaign's figures) the remaining sessions bring the
    mean units per held session, with its spread. `hist_yield` None: no
    historical totals before the campaign.
    """
    done = units_to_date(p)
    n_rem, _ = sessions_remaining(p)
    target = None if p.target is None else p.target.value
    if p.as_of is None:
        return Outlook(None, "none_no_sessions")
    if not p.complete:
        return Outlook(None, "none_incomplete")
    if n_rem is None:
        return Outlook(None, "none_no_plan")
    if n_rem == 0:
        return Outlook(scenario.project_remaining(None, done.value, 0, target, level), "done")
    reg_held = registered_to_date(p)
    reg_plan = None if p.plan.registered is None else p.plan.registered.value
    rest = None if reg_held is None or reg_plan is None else reg_plan - reg_held
    if rest is not None and rest > 0:
        yields = scenario.session_yields(p.held)
        if len(yields) >= 2:
            model = scenario.held_model(yields, n_rem)
            basis = "held_yield"
        elif hist_yield is not None and len(published_yields.dropna()) >= 2:
            model = scenario.yield_model(hist_yield, published_yields, n_rem)
            basis = "history_yield"
        else:
            model = None
        if model is not None:
            proj = scenario.project_remaining(model, done.value, rest, target, level, most=rest)
            return Outlook(proj, basis, model, rest, rest)
    per_session = p.held["units"].astype(float)
    if len(per_session) >= 2:
        model = scenario.held_model(per_session, n_rem)
        proj = scenario.project_remaining(model, done.value, n_rem, target, level)
        return Outlook(proj, "held_units", model, float(n_rem), rest)
    return Outlook(None, "none_too_few")
