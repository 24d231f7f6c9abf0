"""campaign_progress: the figures of a hand-made session sheet, checked by plain arithmetic."""

from __future__ import annotations

import matplotlib.pyplot as plt  # conftest sets MPLBACKEND=agg
import pandas as pd
import pytest

from analysis import config, errors, inputs
from analysis.inputs import published
from analysis.model import disclosure, scenario
from analysis.qualified import Qualified
from analysis.reports.campaign_progress import charts, context, figures, projection, tables
from analysis.reports.campaign_progress import compute as progress
from analysis.simulate import sessions as simulate
from analysis.text import render

TARGET, PLANNED, REGISTERED = 2300, 13, 3000  # giotmau-2023 as published

# session_date, site, registered, turns, deferred, units: six sessions of the 2023 drive,
# one site twice
SHEET = [
    ("2023-08-04", "Trụ sở Công an thành phố", 600, 580, 90, 490),
    ("2023-08-07", "Công an quận Ba Đình", 200, 190, 25, 165),
    ("2023-08-09", "Công an quận Đống Đa", 220, 210, 40, 170),
    ("2023-08-10", "Công an quận Cầu Giấy", 180, 175, 20, 155),
    ("2023-08-14", "Công an huyện Gia Lâm", 210, 200, 35, 165),
    ("2023-08-16", "Công an quận Ba Đình", 190, 185, 30, 155),
]
COLUMNS = ["session_date", "site", "registered", "turns", "deferred", "units"]


def write_sheet(folder, rows=SHEET, headers=None, campaign_id="giotmau-2023"):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if campaign_id:
        frame.insert(2, "campaign_id", campaign_id)
    if headers:
        frame = frame.rename(columns=headers)
    path = folder / "sheet.csv"
    frame.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------- notebook


# ------------------------------------------------------------- the functions


@pytest.fixture(scope="module")
def campaigns():
    return inputs.load(config.CAMPAIGNS_CSV, "campaigns")


@pytest.fixture(scope="module")
def plan(campaigns):
    return published.campaign("giotmau-2023", campaigns)


@pytest.fixture
def sheet(tmp_path):
    return inputs.load(write_sheet(tmp_path), "sessions")


HIST_YIELD = 22348 / 26203
PUBLISHED_YIELDS = scenario.session_yields(published.sessions())


def state(sheet, plan, campaigns, as_of=None, **kw):
    return progress.prepare(sheet, plan, campaigns, as_of, published.checkpoints(), **kw)


def test_cut_at_as_of(sheet, plan, campaigns):
    p = state(sheet, plan, campaigns, "2023-08-09")
    assert list(p.held["units"]) == [490, 165, 170]
    assert len(p.future) == 3 and p.pending.empty
    assert progress.units_to_date(p).value == 825
    assert progress.sessions_remaining(p) == (10, "planned")
    assert progress.pace_units(p) == pytest.approx(TARGET * 3 / 13)


@pytest.mark.parametrize(
    "as_of, message",
    [
        ("2023-08-26", "is after the end of giotmau-2023"),
        ("2023-08-03", "is before the first session"),
        ("4 Aug", "as_of must be an ISO date"),
    ],
)
def test_bad_as_of(sheet, plan, campaigns, as_of, message):
    with pytest.raises(errors.ProgressError, match=message):
        state(sheet, plan, campaigns, as_of)


def test_sessions_outside_the_campaign(tmp_path, plan, campaigns):
    # without a campaign_id column the loader cannot check dates; prepare does
    rows = [*SHEET, ("2023-09-02", "Công an quận Tây Hồ", 100, 90, 10, 80)]
    frame = inputs.load(write_sheet(tmp_path, rows, campaign_id=None), "sessions")
    with pytest.raises(errors.ProgressError, match="1 session.* outside giotmau-2023.*2023-09-02"):
        state(frame, plan, campaigns)


def test_unknown_campaign(campaigns):
    with pytest.raises(LookupError, match="giotmau-1999"):
        published.campaign("giotmau-1999", campaigns)


def test_listed_sessions_without_units(sheet, plan, campaigns):
    # a sheet listing sessions to come with empty units (built directly: the loader wants units)
    later = pd.DataFrame({
        "session_date": pd.to_datetime(["2023-08-16", "2023-08-18", "2023-08-22"]),
        "site": ["A", "B", "C"], "campaign_id": "giotmau-2023",
        "registered": pd.array([150, 160, 170], dtype="Int64"),
    })
    frame = pd.concat([sheet.iloc[:5], later], ignore_index=True)
    for col in ("turns", "deferred", "units"):
        frame[col] = frame[col].astype("Int64")
    p = state(frame, plan, campaigns)  # default as_of: the last session with units
    assert p.as_of == pd.Timestamp("2023-08-14")
    assert len(p.held) == 5 and len(p.future) == 3
    p = state(frame, plan, campaigns, "2023-08-17")
    assert len(p.held) == 5 and len(p.pending) == 1  # dated, but no units yet: not held
    assert progress.sessions_remaining(p) == (8, "planned")
    unplanned = published.Campaign(**{**plan.__dict__, "sessions_planned": None})
    p = state(frame, unplanned, campaigns, "2023-08-17")
    assert progress.sessions_remaining(p) == (3, "sheet")


def test_projection_bases(sheet, plan, campaigns):
    def basis(p):
        return projection.outlook(p, HIST_YIELD, PUBLISHED_YIELDS).basis

    assert basis(state(sheet, plan, campaigns, "2023-08-04")) == "history_yield"
    outlook = projection.outlook(state(sheet, plan, campaigns, "2023-08-09"), HIST_YIELD,
                                 PUBLISHED_YIELDS)
    assert outlook.basis == "held_yield"
    assert outlook.scale == REGISTERED - (600 + 200 + 220)  # officers still to come
    assert outlook.model.n_sessions == 10 and outlook.model.n_observed == 3
    no_registered = sheet.drop(columns="registered")
    outlook = projection.outlook(state(no_registered, plan, campaigns, "2023-08-09"),
                                 HIST_YIELD, PUBLISHED_YIELDS)
    assert outlook.basis == "held_units"
    assert outlook.projection.expected == pytest.approx(825 + 10 * 825 / 3)
    everything = published.Campaign(**{**plan.__dict__, "sessions_planned": 6})
    outlook = projection.outlook(state(sheet, everything, campaigns), HIST_YIELD,
                                 PUBLISHED_YIELDS)
    assert outlook.basis == "done"
    assert outlook.projection.low == outlook.projection.high == 1300


def test_incomplete_sheet_gives_a_lower_bound(campaigns):
    sheet = progress.published_sheet("giotmau-2020", campaigns)
    plan = published.campaign("giotmau-2020", campaigns)
    p = state(sheet, plan, campaigns, "2020-04-23", complete=False)
    units = progress.units_to_date(p)
    assert (units.value, units.qualifier) == (1700, "at_least")  # the checkpoint beats 279 + 209
    complete = state(sheet, plan, campaigns, "2020-04-28")
    units = progress.units_to_date(complete)  # Hoàng Mai's 300 is a tally by 11:00 only
    assert (units.value, units.qualifier) == (279 + 209 + 300, "at_least")


def test_no_session_data_gives_null_figures(campaigns):
    sheet = progress.published_sheet("giotmau-2024", campaigns)
    assert sheet.empty  # nothing was published of the 2024 sessions
    plan = published.campaign("giotmau-2024", campaigns)
    p = state(sheet, plan, campaigns, complete=False)
    figs = figures.key_figures(p, projection.outlook(p, HIST_YIELD, PUBLISHED_YIELDS))
    assert all(figs[k] is None for k in figures.KEY_METRICS)


def test_by_site(sheet):
    table = disclosure.require(progress.by_site(sheet)).frame  # units per site: no people, no cell hidden
    assert len(table) == 5 and table["units"].sum() == sum(r[5] for r in SHEET)
    ba_dinh = table.set_index("site").loc["Công an quận Ba Đình"]
    assert ba_dinh["sessions"] == 2
    assert ba_dinh["yield"] == pytest.approx((165 + 155) / (190 + 185))
    assert ba_dinh["deferral_rate"] == pytest.approx((25 + 30) / (190 + 185))


def report(p, level=projection.LEVEL, sessions_path="sheet.csv"):
    """The notebook's text contexts for the state `p`, section by section."""
    outlook = projection.outlook(p, HIST_YIELD, PUBLISHED_YIELDS, level)
    figs = figures.key_figures(p, outlook)
    sheet = progress.details(p)
    texts = {
        "title": context.title(p.plan, figs),
        "key_findings": context.key_findings(figs, p.plan, sheet, outlook, level),
        "status": context.status(figs, p.plan, sheet, sessions_path),
        "yield": context.yield_(figs, sheet, HIST_YIELD),
        "needed": context.needed(figs, sheet),
        "projection": context.projection(figs, p.plan, sheet, outlook, level),
        "unknown": context.unknown(figs, p.plan, sheet),
        "key_figures": {},
    }
    sites = progress.by_site(p.held)
    if len(sites):
        texts["sites"] = context.sites(sites)
    return texts, figs, outlook, sheet


def test_contexts_say_which_branch_and_which_numbers(sheet, plan, campaigns):
    first, figs, _, _ = report(state(sheet, plan, campaigns, "2023-08-04"))  # one session held
    status = first["status"]
    assert status["known"] and status["complete"] and status["held"] == 1 and status["planned"] == PLANNED
    assert status["units"] == Qualified(490.0) and status["share"].value == pytest.approx(490 / TARGET)
    assert status["gap"] == pytest.approx(490 - TARGET / PLANNED)  # ahead of an even pace
    assert (status["counted"], status["remaining"], status["future"]) == ("planned", PLANNED - 1, 5)
    needed = first["needed"]
    assert needed["case"] == "to_come" and needed["still"] == Qualified(TARGET - 490.0)
    assert needed["per_session"] == pytest.approx((TARGET - 490) / (PLANNED - 1))
    assert needed["mean_held"] == 490
    proj = first["projection"]
    assert proj["basis"] == "history_yield" and proj["level"] == 0.9 and proj["why"] is None
    assert proj["rest"] == REGISTERED - 600 and proj["registered_held"] == 600
    assert proj["projected"] == figs["projected_final_units"]
    yield_ = first["yield"]
    assert (yield_["turns"], yield_["units"], yield_["deferred"]) == (580, 490, 90)
    assert yield_["yield_"] == pytest.approx(490 / 580) and yield_["hist"] == HIST_YIELD
    assert first["unknown"] == {"known": True, "missing": []}  # the drive is not over yet
    assert first["sites"] == {"sites": 1, "top": "Trụ sở Công an thành phố", "top_units": 490}
    findings = first["key_findings"]
    assert (findings["held"], findings["remaining"], findings["basis"]) == (1, PLANNED - 1, "history_yield")

    no_registered, _, _, _ = report(state(sheet.drop(columns="registered"), plan, campaigns, "2023-08-10"))
    assert no_registered["projection"]["basis"] == "held_units"
    assert no_registered["projection"]["why"] == "no_registered_sheet"
    assert no_registered["yield"]["per_registered"] is None

    p2020 = state(progress.published_sheet("giotmau-2020", campaigns),
                  published.campaign("giotmau-2020", campaigns), campaigns, "2020-04-23", complete=False)
    bound, _, _, _ = report(p2020)
    assert not bound["status"]["complete"] and bound["status"]["units"] == Qualified(1700.0, "at_least")
    assert bound["status"]["share"].qualifier == "about"  # a lower bound over an "about 5,000" target
    assert bound["status"]["final"] == Qualified(6157.0)
    assert bound["needed"]["case"] == "unknown" and bound["needed"]["still"] == Qualified(3300.0, "at_most")
    assert bound["projection"] == {"basis": "none_incomplete", "level": 0.9}
    assert bound["unknown"]["missing"] == ["incomplete", "turns", "planned"]
    assert bound["key_findings"]["held"] is None

    p2022 = state(progress.published_sheet("giotmau-2022", campaigns),
                  published.campaign("giotmau-2022", campaigns), campaigns, complete=False)
    nothing, _, _, _ = report(p2022, sessions_path=None)
    assert not nothing["status"]["known"] and nothing["status"]["path"] is None
    assert nothing["needed"]["case"] is None and nothing["unknown"] == {"known": False, "missing": []}
    assert nothing["projection"]["basis"] == "none_no_sessions" and "sites" not in nothing

    everything = published.Campaign(**{**plan.__dict__, "sessions_planned": 6})
    done, _, _, _ = report(state(sheet, everything, campaigns))
    assert done["projection"] == {"basis": "done", "level": 0.9, "units": 1300, "met": False}
    assert done["needed"]["case"] == "none_left" and done["status"]["counted"] == "done"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_text_and_charts_render(sheet, plan, campaigns, lang):
    cases = [
        state(sheet, plan, campaigns, "2023-08-04"),
        state(sheet, plan, campaigns, "2023-08-10"),
        state(sheet.drop(columns=["registered", "turns"]), plan, campaigns, "2023-08-10"),
        state(progress.published_sheet("giotmau-2020", campaigns),
              published.campaign("giotmau-2020", campaigns), campaigns, "2020-04-23", complete=False),
        state(progress.published_sheet("giotmau-2022", campaigns),
              published.campaign("giotmau-2022", campaigns), campaigns, complete=False),
    ]
    for p in cases:
        texts, figs, outlook, details = report(p, level=0.8)  # another level: it must reach the text
        assert set(texts) <= set(render.sections("campaign_progress", lang))
        for section, values in texts.items():
            html = render.render("campaign_progress", section, lang, **values)
            assert "{" not in html and "None" not in html and "nan" not in html, section
        if figs["projected_final_units"] is not None:
            for section in ("key_findings", "projection"):
                html = render.render("campaign_progress", section, lang, **texts[section])
                assert "80%" in html and "90%" not in html, section
        assert render.render("campaign_progress", "title", lang, **texts["title"])
        shown_figures = tables.key_figures_table(figs, 0.8, lang)
        assert shown_figures.iloc[:, 0].str.contains("80%").sum() == 2
        if p.as_of is not None:
            sessions = progress.sessions_table(p)
            plt.close(charts.cumulative_progress(sessions, p.plan, details, figs, outlook, lang))
            plt.close(charts.site_units(progress.by_site(p.held), lang))
            if figs["sessions_remaining"]:
                plt.close(charts.session_units(sessions, figs, lang))
    assert set(texts) | {"sites"} == set(render.sections("campaign_progress", lang))


def test_site_table_is_shown_translated_with_whole_numbers(sheet):
    sites = progress.by_site(sheet)
    shown = {lang: tables.shown(sites, lang) for lang in ("vi", "en")}
    assert list(shown["en"].columns) == ["Site", "Sessions", "Registered", "Turns", "Deferred", "Units",
                                         "Yield", "Deferral rate", "Share of units"]
    ba_dinh = shown["vi"].set_index("Điểm hiến máu").loc["Công an quận Ba Đình"]
    assert (ba_dinh["Số buổi"], ba_dinh["Đơn vị máu"], ba_dinh["Đơn vị/lượt"]) == ("2", "320", "0,853")
    assert shown["en"]["Registered"].iloc[0] == "600"  # whole numbers whole, not 600.0


# ------------------------------------------------------------------ the data


def test_published_sheet_is_the_campaigns_rows_of_sessions_csv(campaigns):
    whole = pd.read_csv(config.PUBLISHED_SESSIONS_CSV, dtype=str, keep_default_na=False)
    mine = whole[whole["campaign_id"] == "giotmau-2020"]
    sheet = progress.published_sheet("giotmau-2020", campaigns)
    assert sheet["units"].tolist() == [int(u) for u in mine["units"]]
    assert sheet["site"].tolist() == mine["site"].tolist()
    assert sheet["units_qualifier"].tolist() == mine["units_qualifier"].tolist()


def test_example_sheet_is_the_simulation():
    path = simulate.SESSIONS_2023_CSV
    assert config.is_simulated(path)
    on_disk = pd.read_csv(path, dtype=str, keep_default_na=False)
    again = simulate.simulate_sessions().astype(str)
    pd.testing.assert_frame_equal(on_disk, again, check_dtype=False)
    sheet = inputs.load(path, "sessions")
    assert len(sheet) == 13 and sheet["site"].nunique() == 12
    assert sheet["session_date"].between("2023-08-04", "2023-08-25").all()
    assert abs(sheet["registered"].sum() - REGISTERED) < 0.05 * REGISTERED
    assert sheet.loc[0, "turns"] > 600  # launch day: more than 600 officers took part
    assert (sheet["turns"] - sheet["deferred"] == sheet["units"]).all()
