"""A campaign's plan set against the force's historical totals.

Figures and tables only: the text is in the report's templates
(`analysis/text/templates/<lang>/historical_vs_campaign/`), filled by
`context`. Every table a reader sees leaves here as a `disclosure.Safe`
table; none of them counts people (units, yields, registrations needed).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.inputs.published import Campaign
from analysis.model import disclosure
from analysis.model.campaign import campaign_days, whole
from analysis.model.scenario import YieldModel, project, registrations_needed, session_yields
from analysis.text import i18n

LEVEL = 0.9  # the projection's interval: projected_units_low/high are its ends
CONFIDENCES = (0.5, 0.75, 0.8, 0.9, 0.95)  # the planning table's rows, with the chosen one


def core_figures(
    plan: Campaign,
    snapshot: pd.Series | None,
    registered: float | None,
    show_rate: float,
    model: YieldModel | None,
    level: float = LEVEL,
) -> dict[str, float | int | None]:
    """The key figures of `historical_vs_campaign`, under the contract's names.

    Without published totals before the campaign (`snapshot` None) the
    historical figures and the projection are None: missing, not guessed.
    """
    hist_turns = None if snapshot is None else int(snapshot["turns"])
    hist_units = None if snapshot is None else int(snapshot["units"])
    target = plan.target_units
    days = (
        campaign_days(plan.start_date, plan.end_date)
        if plan.start_date is not None and plan.end_date is not None
        else None
    )
    presenting = None if registered is None else registered * show_rate
    proj = project(model, presenting, target, level) if presenting and model else None

    def ratio(a, b):
        return None if a is None or not b else a / b

    return {
        "hist_qualifier": None if snapshot is None else str(snapshot.get("qualifier") or "exact"),
        "hist_turns": hist_turns,
        "hist_units": hist_units,
        "hist_yield": ratio(hist_units, hist_turns),
        "campaign_target_units": target,
        "campaign_registered": whole(registered),
        "campaign_sessions": plan.sessions_planned,
        "campaign_sites": plan.sites_planned,
        "campaign_days": days,
        "required_yield": ratio(target, presenting),
        "projected_units": proj.expected if proj else None,
        "projected_units_low": proj.low if proj else None,
        "projected_units_high": proj.high if proj else None,
        "p_target_met": proj.p_target_met if proj else None,
        "target_share_of_history": ratio(target, hist_units),
        "units_per_session_needed": ratio(target, plan.sessions_planned),
        "units_per_day_needed": ratio(target, days),
    }


def planning_table(model: YieldModel, target: float, show_rate: float,
                   confidence: float | None = None) -> disclosure.Safe:
    """Registrations the target needs for each confidence (`CONFIDENCES` and the chosen one).

    A count of people still to be found, so a whole number, rounded up: the
    smallest number of registrations that gives at least that chance. Empty
    (NA) where no number of registrations can reach it.
    """
    levels = sorted({*CONFIDENCES, *([confidence] if confidence is not None else [])})
    needed = [registrations_needed(model, target, c, show_rate) for c in levels]
    return disclosure.no_people(pd.DataFrame({
        "confidence": levels,
        "registrations_needed": pd.array([math.ceil(n) if math.isfinite(n) else None for n in needed],
                                         dtype="Int64"),
    }))


def history_table(totals: pd.DataFrame, snapshot: pd.Series) -> disclosure.Safe:
    """The published cumulative totals up to the campaign's snapshot (units of blood, no people)."""
    rows = totals[totals["as_of"] <= snapshot["as_of"]].sort_values("as_of")
    columns = [c for c in ("as_of", "as_of_precision", "turns", "units", "qualifier") if c in rows]
    return disclosure.no_people(rows[columns].reset_index(drop=True))


def yields_table(yield_sessions: pd.DataFrame) -> disclosure.Safe:
    """Units per registered officer of each published session that gives both (a ratio, no people)."""
    return disclosure.no_people(session_yields(yield_sessions).reset_index(drop=True).to_frame())


def shown(table: disclosure.Safe, lang: str) -> pd.DataFrame:
    """The planning table as the reader sees it: headers in their language, numbers in their format."""
    frame = disclosure.require(table).frame
    return pd.DataFrame({
        i18n.t("col_confidence", lang): [i18n.fmt_pct(c, lang, 0) for c in frame["confidence"]],
        i18n.t("registrations_needed", lang): [
            i18n.t("hvc_out_of_reach", lang) if pd.isna(n) else i18n.fmt_int(n, lang)
            for n in frame["registrations_needed"]],
    })


FIGURE_FORMATS = {  # key figure -> digits (None: a whole number; "pct": a share)
    "hist_turns": None, "hist_units": None, "hist_yield": 4, "campaign_target_units": None,
    "campaign_registered": None, "campaign_sessions": None, "campaign_sites": None, "campaign_days": None,
    "required_yield": 3, "projected_units": None, "projected_units_low": None,
    "projected_units_high": None, "p_target_met": "pct", "target_share_of_history": "pct",
    "units_per_session_needed": 1, "units_per_day_needed": 1,
}


def key_figures_table(figs: dict, level: float, lang: str) -> pd.DataFrame:
    """The contract's key figures with their labels, formatted for the reader."""
    def fmt(value, digits):
        if digits is None:
            return i18n.fmt_int(value, lang)
        return i18n.fmt_pct(value, lang) if digits == "pct" else i18n.fmt_num(value, lang, digits)

    level_text = i18n.fmt_pct(level, lang, 0)
    return pd.DataFrame({
        i18n.t("figure", lang): [i18n.t(k, lang, level=level_text) for k in FIGURE_FORMATS],
        i18n.t("value", lang): [fmt(figs[k], d) for k, d in FIGURE_FORMATS.items()],
    })


def sources_used(plan: Campaign, snapshot: pd.Series | None, yield_sessions: pd.DataFrame) -> list[str]:
    """Source ids behind the report's figures: plan, totals and the sessions the spread uses."""
    used = (
        yield_sessions.loc[session_yields(yield_sessions).index, "source_id"].dropna()
        if snapshot is not None  # without history there is no projection, so no spread
        else []
    )
    ids = [*plan.source_ids, *(str(snapshot["source_id"]).split(";") if snapshot is not None else []), *used]
    return list(dict.fromkeys(ids))
