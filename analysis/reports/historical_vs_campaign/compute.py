"""A campaign's plan set against the force's historical totals."""

from __future__ import annotations

import pandas as pd

from analysis.text import i18n
from analysis.inputs.published import Campaign
from analysis.model.campaign import campaign_days, whole
from analysis.qualified import Qualified
from analysis.model.scenario import YieldModel, project, registrations_needed, session_yields, yield_model


def core_figures(
    plan: Campaign,
    snapshot: pd.Series | None,
    registered: float | None,
    show_rate: float,
    model: YieldModel | None,
    level: float = 0.9,
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


def story(
    figs: dict,
    plan: Campaign,
    snapshot: pd.Series | None,
    model: YieldModel | None,
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
    text = {
        "key_figures": i18n.t("hvc_key_figures", lang),
        "title": i18n.t("hvc_title", lang, name=plan.name),
        "history": _history_text(figs, snapshot, lang),
        "plan": _plan_text(figs, plan, registered, lang),
        "pace": _pace_text(figs, lang),
    }
    if registered is None or figs["required_yield"] is None or model is None:
        reason = "hvc_no_projection" if model is not None else "hvc_no_history_projection"
        text["required"], text["projection"], text["planning"] = i18n.t(reason, lang), "", ""
        return text
    above = figs["required_yield"] > figs["hist_yield"]
    text["required"] = i18n.t(
        "hvc_required",
        lang,
        presenting=i18n.fmt_q(Qualified(registered.value * show_rate, qual), lang),
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
        conf=i18n.fmt_pct(confidence, lang, 0),
        need=f_int(registrations_needed(model, plan.target_units, confidence, show_rate)),
        show_rate=f_pct(show_rate),
        registered=i18n.fmt_q(registered, lang),
    )
    return text


def _history_text(figs: dict, snapshot: pd.Series | None, lang: str) -> str:
    if snapshot is None:
        return i18n.t("hvc_no_history", lang)
    date = (
        str(snapshot["as_of"].year)
        if snapshot.get("as_of_precision") == "year"
        else i18n.fmt_date(snapshot["as_of"], lang)
    )
    qualifier = str(snapshot.get("qualifier") or "exact")
    turns = Qualified(float(snapshot["turns"]), qualifier)
    units = Qualified(float(snapshot["units"]), qualifier)
    ratio = units / turns  # two bounds in the same direction give only an "about"
    return i18n.t(
        "hvc_history",
        lang,
        date=date,
        turns=i18n.fmt_q(turns, lang),
        units=i18n.fmt_q(units, lang),
        yield_=i18n.fmt_q(ratio, lang, 4),
        loss=i18n.fmt_pct(1 - ratio.value, lang),
    )


def _share_text(figs: dict, lang: str) -> str:
    """The target's share of history; a lower bound on history makes it an upper bound."""
    history = Qualified(float(figs["hist_units"]), figs["hist_qualifier"] or "exact")
    share = float(figs["campaign_target_units"]) / history
    return i18n.fmt_qualified(i18n.fmt_pct(share.value, lang), share.qualifier, lang)


def _where_text(figs: dict, lang: str) -> str:
    sessions, sites = figs["campaign_sessions"], figs["campaign_sites"]
    if sessions is not None and sites is not None:
        return i18n.t(
            "hvc_where_both", lang, sessions=i18n.fmt_int(sessions, lang), sites=i18n.fmt_int(sites, lang)
        )
    if sites is not None:
        return i18n.t("hvc_where_sites", lang, sites=i18n.fmt_int(sites, lang))
    return i18n.t("hvc_where_unknown", lang)


def _plan_text(figs: dict, plan: Campaign, registered: Qualified | None, lang: str) -> str:
    where = _where_text(figs, lang)
    if figs["campaign_days"] is not None:
        when = i18n.t(
            "hvc_plan_when",
            lang,
            where=where,
            start=i18n.fmt_date(plan.start_date, lang),
            end=i18n.fmt_date(plan.end_date, lang),
            days=i18n.fmt_int(figs["campaign_days"], lang),
        )
    else:
        when = i18n.t("hvc_plan_no_dates", lang, where=where)
    parts = [i18n.t("hvc_plan_heading", lang, year=plan.year), "", when]
    if figs["campaign_target_units"] is not None:
        parts.append(
            i18n.t("hvc_plan_target", lang, target=i18n.fmt_int(figs["campaign_target_units"], lang))
        )
    if registered is not None:
        parts.append(i18n.t("hvc_plan_registered", lang, registered=i18n.fmt_q(registered, lang)))
    else:
        parts.append(i18n.t("hvc_plan_no_registered", lang))
    if figs["target_share_of_history"] is not None:
        parts.append(i18n.t("hvc_plan_share", lang, share=_share_text(figs, lang)))
    return parts[0] + "\n\n" + " ".join(p[:1].upper() + p[1:] for p in parts[2:])


def _pace_text(figs: dict, lang: str) -> str:
    parts = [
        i18n.t(key, lang, value=i18n.fmt_num(figs[name], lang, 1))
        for key, name in (
            ("hvc_pace_session", "units_per_session_needed"),
            ("hvc_pace_day", "units_per_day_needed"),
        )
        if figs[name] is not None
    ]
    return i18n.t("hvc_pace_heading", lang) + "\n\n" + (" ".join(parts) or i18n.t("hvc_pace_unknown", lang))


def sources_used(plan: Campaign, snapshot: pd.Series | None, yield_sessions: pd.DataFrame) -> list[str]:
    """Source ids behind the report's figures: plan, totals and the sessions the spread uses."""
    used = (
        yield_sessions.loc[session_yields(yield_sessions).index, "source_id"].dropna()
        if snapshot is not None  # without history there is no projection, so no spread
        else []
    )
    ids = [*plan.source_ids, *(str(snapshot["source_id"]).split(";") if snapshot is not None else []), *used]
    return list(dict.fromkeys(ids))
