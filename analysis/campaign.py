"""A campaign's plan set against the force's historical totals."""

from __future__ import annotations

import pandas as pd

from analysis import i18n
from analysis.published import Campaign
from analysis.qualified import Qualified
from analysis.scenario import YieldModel, project, registrations_needed


def campaign_days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Calendar days of a campaign, both ends included (4–25 Aug is 22)."""
    return int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1


def whole(value: float | None) -> float | int | None:
    """A count read as a float (3000.0) shown as the whole number it is."""
    return int(value) if value is not None and float(value).is_integer() else value


def historical_yield(turns: float, units: float) -> float:
    """Units per donation turn."""
    return float(units) / float(turns)


def core_figures(
    plan: Campaign,
    hist_turns: int,
    hist_units: int,
    registered: float | None,
    show_rate: float,
    model: YieldModel,
    level: float = 0.9,
) -> dict[str, float | int | None]:
    """The key figures of `historical_vs_campaign`, under the contract's names."""
    target = plan.target_units
    days = (
        campaign_days(plan.start_date, plan.end_date)
        if plan.start_date is not None and plan.end_date is not None
        else None
    )
    presenting = None if registered is None else registered * show_rate
    proj = project(model, presenting, target, level) if presenting else None

    def ratio(a, b):
        return None if a is None or not b else a / b

    return {
        "hist_turns": int(hist_turns),
        "hist_units": int(hist_units),
        "hist_yield": historical_yield(hist_turns, hist_units),
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


def planning_table(
    model: YieldModel, target: float, show_rate: float, confidences=(0.5, 0.75, 0.8, 0.9, 0.95)
) -> pd.DataFrame:
    """Registrations the target needs for each chosen confidence."""
    return pd.DataFrame(
        {
            "confidence": list(confidences),
            "registrations_needed": [registrations_needed(model, target, c, show_rate) for c in confidences],
        }
    )


def registered_for(plan: Campaign, registered: float | None) -> Qualified | None:
    """The registration figure to use: the parameter if given, else the campaign's own."""
    if registered is not None:
        return Qualified(float(registered))
    return plan.registered


def sessions_for_model(plan: Campaign) -> int:
    """Sessions planned; when unpublished, one per site (or one in all)."""
    return plan.sessions_planned or plan.sites_planned or 1


def reference_date(plan: Campaign) -> pd.Timestamp:
    """The campaign's start, or 1 January of its year when the start is not published."""
    return plan.start_date if plan.start_date is not None else pd.Timestamp(plan.year, 1, 1)


def story(
    figs: dict,
    plan: Campaign,
    snapshot: pd.Series,
    model: YieldModel,
    registered: Qualified | None,
    show_rate: float,
    confidence: float,
    lang: str,
) -> dict[str, str]:
    """The report's text, section by section, with numbers in the reader's format."""
    f_int, f_num, f_pct = (
        lambda v: i18n.fmt_int(v, lang),
        lambda v, d=3: i18n.fmt_num(v, lang, d),
        lambda v: i18n.fmt_pct(v, lang),
    )
    qual = registered.qualifier if registered is not None else "exact"
    snap_date = (
        str(snapshot["as_of"].year)
        if snapshot.get("as_of_precision") == "year"
        else i18n.fmt_date(snapshot["as_of"], lang)
    )
    hist_q = Qualified(float(snapshot["units"]), str(snapshot.get("qualifier") or "exact"))
    text = {
        "key_figures": i18n.t("hvc_key_figures", lang),
        "title": i18n.t("hvc_title", lang, name=plan.name),
        "history": i18n.t(
            "hvc_history",
            lang,
            date=snap_date,
            turns=i18n.fmt_qualified(f_int(figs["hist_turns"]), hist_q.qualifier, lang),
            units=hist_q.format(lang),
            yield_=f_num(figs["hist_yield"], 4),
            loss=f_pct(1 - figs["hist_yield"]),
        ),
        "plan": i18n.t(
            "hvc_plan",
            lang,
            year=plan.year,
            sessions=f_int(figs["campaign_sessions"]),
            sites=f_int(figs["campaign_sites"]),
            start=i18n.fmt_date(plan.start_date, lang),
            end=i18n.fmt_date(plan.end_date, lang),
            days=f_int(figs["campaign_days"]),
            target=f_int(figs["campaign_target_units"]),
            registered=registered.format(lang) if registered else i18n.t("missing", lang),
            share=f_pct(figs["target_share_of_history"]),
        ),
        "pace": i18n.t(
            "hvc_pace",
            lang,
            per_session=f_num(figs["units_per_session_needed"], 1),
            per_day=f_num(figs["units_per_day_needed"], 1),
        ),
    }
    if registered is None or figs["required_yield"] is None:
        text["required"] = text["projection"] = text["planning"] = i18n.t("hvc_no_projection", lang)
        return text
    above = figs["required_yield"] > figs["hist_yield"]
    text["required"] = i18n.t(
        "hvc_required",
        lang,
        presenting=Qualified(registered.value * show_rate, qual).format(lang),
        show_rate=f_pct(show_rate),
        required=f_num(figs["required_yield"]),
        hist_yield=f_num(figs["hist_yield"]),
        verdict=i18n.t("hvc_required_above" if above else "hvc_required_below", lang),
    )
    text["projection"] = i18n.t(
        "hvc_projection",
        lang,
        n_obs=model.n_observed,
        sd=f_num(model.session_sd),
        n_sessions=model.n_sessions,
        projected=i18n.fmt_qualified(f_int(figs["projected_units"]), qual, lang),
        low=f_int(figs["projected_units_low"]),
        high=f_int(figs["projected_units_high"]),
        p=f_pct(figs["p_target_met"]),
    )
    text["planning"] = i18n.t(
        "hvc_planning",
        lang,
        conf=f_pct(confidence),
        need=f_int(registrations_needed(model, plan.target_units, confidence, show_rate)),
        show_rate=f_pct(show_rate),
        registered=registered.format(lang),
    )
    return text
