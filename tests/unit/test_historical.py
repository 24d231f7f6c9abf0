"""historical_vs_campaign without a kernel: its text contexts, planning table and templates."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest


def _report(campaign_id: str, show_rate: float = 1.0, confidence: float = 0.9):
    """Everything the notebook builds its text from, for one campaign (published inputs)."""
    from analysis import config
    from analysis.model import campaign
    from analysis.reports.historical_vs_campaign import compute as cp
    from analysis.reports.historical_vs_campaign import inputs as report_inputs

    params = {"totals_path": "data/published/totals.csv", "campaigns_path": "data/published/campaigns.csv",
              "yield_sessions_path": "data/published/sessions.csv", "campaign_id": campaign_id}
    data = report_inputs.read(params, config.resolve)
    plan, totals, yield_sessions = data["plan"], data["totals"], data["yield_sessions"]
    snapshot = campaign.snapshot_before(plan, totals)
    reg = campaign.registered_for(plan, None)
    model = campaign.model_for(plan, snapshot, yield_sessions)
    figs = cp.core_figures(plan, snapshot, reg.value if reg else None, show_rate, model, cp.LEVEL)
    planning = (cp.planning_table(model, plan.target_units, show_rate, confidence)
                if reg is not None and model is not None else None)
    return {"plan": plan, "totals": totals, "yield_sessions": yield_sessions, "snapshot": snapshot,
            "reg": reg, "model": model, "figs": figs, "planning": planning}


def _contexts(r: dict, level: float, show_rate: float = 1.0, confidence: float = 0.9) -> dict:
    from analysis.reports.historical_vs_campaign import context

    figs, plan, reg, model = r["figs"], r["plan"], r["reg"], r["model"]
    texts = {
        "title": context.title(plan),
        "key_findings": context.key_findings(figs, plan, reg, model, level),
        "history": context.history(figs, r["snapshot"]),
        "plan": context.plan(figs, plan, reg),
        "required": context.required(figs, reg, show_rate, model),
        "pace": context.pace(figs),
        "key_figures": {},
    }
    if figs["projected_units"] is not None:
        texts["projection"] = context.projection(figs, model, reg, level)
    if r["planning"] is not None:
        texts["planning"] = context.planning(r["planning"], confidence, show_rate, reg)
    return texts


def test_contexts_say_which_branch_and_which_numbers():
    from analysis.qualified import Qualified

    full = _contexts(_report("giotmau-2023"), 0.9)
    findings = full["key_findings"]
    assert (findings["target"], findings["registered"]) == (2300, Qualified(3000.0, "about"))
    assert findings["hist_yield"] == Qualified(pytest.approx(22348 / 26203), "exact")
    assert findings["required"] == pytest.approx(2300 / 3000) and findings["above"] is False
    assert findings["projected"].value == pytest.approx(3000 * 22348 / 26203)
    assert findings["projected"].qualifier == "about"  # the registrations are "about 3,000"
    assert findings["level"] == 0.9 and 0 < findings["p"] < 1 and findings["why_none"] is None
    history = full["history"]
    assert history["known"] and history["date"] == pd.Timestamp("2023-08-04") and history["year"] is None
    assert history["loss"] == pytest.approx(1 - 22348 / 26203)
    assert full["plan"]["share"] == Qualified(pytest.approx(2300 / 22348), "exact")
    assert (full["plan"]["sessions"], full["plan"]["sites"], full["plan"]["days"]) == (13, 12, 22)
    assert full["required"]["presenting"] == Qualified(3000.0, "about")
    assert full["projection"]["n_sessions"] == 13 and full["projection"]["level"] == 0.9
    assert full["pace"] == {"per_session": pytest.approx(2300 / 13), "per_day": pytest.approx(2300 / 22)}
    assert full["planning"]["confidence"] == 0.9 and full["planning"]["need"] == 2965

    no_registrations = _contexts(_report("giotmau-2022"), 0.9)  # 2022: 11 sites, no registrations
    assert no_registrations["required"] == {"why_none": "no_registered"}
    assert "projection" not in no_registrations
    assert no_registrations["key_findings"]["projected"] is None
    assert no_registrations["history"]["year"] == 2022  # totals dated by year only
    assert "planning" not in no_registrations
    assert (no_registrations["plan"]["sessions"], no_registrations["plan"]["sites"]) == (None, 11)

    no_history = _contexts(_report("giotmau-2020"), 0.9)  # nothing published before 2020
    assert no_history["history"] == {"known": False}
    assert no_history["required"] == {"why_none": "no_history"}
    assert no_history["key_findings"]["hist_yield"] is None

    bounds = _contexts(_report("giotmau-2025"), 0.9)  # "more than 32,000 turns, 28,000 units"
    assert bounds["history"]["turns"].qualifier == "at_least"
    assert bounds["key_findings"]["hist_yield"].qualifier == "about"  # a bound over a bound
    assert bounds["plan"]["share"].qualifier == "at_most"


def test_planning_table_takes_the_chosen_confidence_and_whole_registrations():
    from analysis.model import disclosure, scenario
    from analysis.reports.historical_vs_campaign import compute as cp

    r = _report("giotmau-2023", show_rate=0.9, confidence=0.85)
    table = disclosure.require(r["planning"]).frame
    assert list(table["confidence"]) == [0.5, 0.75, 0.8, 0.85, 0.9, 0.95]
    for c, need in zip(table["confidence"], table["registrations_needed"], strict=True):
        exact = scenario.registrations_needed(r["model"], 2300, c, 0.9)
        assert need == math.ceil(exact)  # the smallest whole number that gives the chance
    shown = {lang: cp.shown(r["planning"], lang) for lang in ("vi", "en")}
    assert list(shown["en"].columns) == ["Confidence of meeting the target", "Registrations the target needs"]
    assert list(shown["vi"].iloc[:, 0]) == ["50%", "75%", "80%", "85%", "90%", "95%"]
    assert all("," not in v and "." in v for v in shown["vi"].iloc[:, 1])  # 3.294: whole, vi separator


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_text_and_charts_render(lang):
    from analysis.reports.historical_vs_campaign import charts
    from analysis.reports.historical_vs_campaign import compute as cp
    from analysis.text import render

    for campaign_id in ("giotmau-2022", "giotmau-2020", "giotmau-2025", "giotmau-2023"):
        r = _report(campaign_id)
        texts = _contexts(r, 0.8)  # another level than the default: it must reach the text
        assert set(texts) <= set(render.sections("historical_vs_campaign", lang))
        for section, values in texts.items():
            html = render.render("historical_vs_campaign", section, lang, **values)
            assert html and "{" not in html and "None" not in html and "nan" not in html, section
        if r["figs"]["projected_units"] is not None:
            for section in ("key_findings", "projection"):
                html = render.render("historical_vs_campaign", section, lang, **texts[section])
                assert "80%" in html and "90%" not in html
    assert set(texts) == set(render.sections("historical_vs_campaign", lang))  # 2023 has every section
    r = _report("giotmau-2023")
    figs = r["figs"]
    fig = charts.projection_density(r["model"], 3000, 2300, figs["projected_units_low"],
                                    figs["projected_units_high"], 0.8, lang)
    assert "80%" in fig.axes[0].get_title() and "90%" not in fig.axes[0].get_legend().texts[0].get_text()
    charts.plt.close(fig)
    table = cp.key_figures_table(figs, 0.8, lang)
    assert table.iloc[:, 0].str.contains("80%").sum() == 2 and not table.iloc[:, 0].str.contains("90%").any()
    for fig in (charts.cumulative_with_target(cp.history_table(r["totals"], r["snapshot"]), 2300, 2023, lang),
                charts.yield_comparison(figs["hist_yield"], figs["required_yield"],
                                        cp.yields_table(r["yield_sessions"]), 2023, lang),
                charts.planning_curve(r["model"], 2300, 1.0, 3000, lang)):
        assert fig.axes
        charts.plt.close(fig)


@pytest.mark.parametrize("domain", ["historical_vs_campaign", "campaign_progress"])
def test_no_level_is_typed_into_the_text(domain):
    """The interval's level and the planning confidence reach the text as values."""
    from analysis.text import i18n, render

    for lang in i18n.LANGS:
        texts = [(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").read_text("utf-8")]
        texts += [p.read_text("utf-8") for p in (render.TEMPLATES / lang / domain).glob("*.html")]
        assert not any(re.search(r"\d\d ?%", text) for text in texts), f"{lang}/{domain}"
