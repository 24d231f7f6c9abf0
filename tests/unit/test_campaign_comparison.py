"""campaign_comparison: the editions table against plain pandas on hand-made files, and on the published ones.

The hand-made campaigns (written to a CSV the workbook has never seen) hold an
edition with an exact result, one with no dates, one whose figures are bounds
("about" target, "at least" result), one with a result but no target, and one
whose sessions a hand-made sheet without campaign ids lists.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.errors import UnknownCampaign
from analysis.model import disclosure
from analysis.reports.campaign_comparison import compute as comparison
from analysis.reports.campaign_comparison import context
from analysis.reports.campaign_comparison import inputs as report_inputs
from analysis.text import render

CAMPAIGNS = (
    "campaign_id,name,start_date,end_date,target_units,target_qualifier,sessions_planned,sites_planned,"
    "registered,registered_qualifier,units_collected,units_collected_qualifier\n"
) + """drive-2019,Drive 2019,2019-05-02,2019-05-11,1000,exact,10,8,1300,exact,1100,exact
drive-2021,Drive 2021,,,1500,exact,,6,,,,
drive-2022,Drive 2022,2022-06-01,2022-06-30,2000,about,,,2500,about,1800,at_least
drive-2018,Drive 2018,2018-09-10,2018-09-12,,,3,3,,,400,exact
drive-2023,Drive 2023,2023-07-03,2023-07-07,1200,exact,4,4,,,,
"""
SHEET = """session_date,site,registered,turns,units
2023-07-03,North,120,110,95
2023-07-04,South,100,90,80
2023-07-05,North,90,,70
2023-07-07,East,130,120,100
2024-01-10,Elsewhere,50,40,30
"""
TOTALS = """as_of,turns,units,qualifier
2019-01-01,5000,4000,exact
2022-01-01,9000,7500,at_least
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comparison")
    for name, text in (("campaigns.csv", CAMPAIGNS), ("sheet.csv", SHEET), ("totals.csv", TOTALS)):
        (folder / name).write_text(text, "utf-8")
    return folder


def read(folder, sessions="sheet.csv", ids=None):
    return report_inputs.read({
        "campaigns_path": str(folder / "campaigns.csv"), "totals_path": str(folder / "totals.csv"),
        "sessions_path": None if sessions is None else str(folder / sessions), "sessions_columns": None,
        "campaign_ids": ids})


def table_of(data) -> pd.DataFrame:
    return comparison.edition_table(data["campaigns"], data["sessions"], data["sessions_published"],
                                    data["totals"], data["campaign_ids"])


@pytest.fixture(scope="module")
def table(folder):
    return table_of(read(folder)).set_index("campaign_id")


# ------------------------------------------------------------------ independent computation


def test_editions_are_ordered_by_start_date_undated_by_year(table):
    assert list(table.index) == ["drive-2018", "drive-2019", "drive-2021", "drive-2022", "drive-2023"]


def test_dates_days_and_figures_match_plain_pandas(folder, table):
    raw = pd.read_csv(folder / "campaigns.csv", parse_dates=["start_date", "end_date"])
    raw = raw.set_index("campaign_id")
    days = (raw["end_date"] - raw["start_date"]).dt.days + 1
    for cid in raw.index:
        row = table.loc[cid]
        for col, src in (("target_units", "target_units"), ("registered", "registered"),
                         ("units_collected", "units_collected")):
            want = raw.loc[cid, src]
            assert pd.isna(row[col]) if pd.isna(want) else row[col] == want, (cid, col)
        assert pd.isna(row["days"]) if pd.isna(days[cid]) else row["days"] == days[cid]
        achievement = raw.loc[cid, "units_collected"] / raw.loc[cid, "target_units"]
        assert (pd.isna(row["achievement"]) if pd.isna(achievement)
                else row["achievement"] == pytest.approx(achievement)), cid


def test_every_figure_keeps_its_qualifier(table):
    q = table[["target_units_qualifier", "units_collected_qualifier", "achievement_qualifier",
               "units_per_session_qualifier", "target_share_of_history_qualifier"]]
    # exact ÷ exact; about target, at-least result: "about"; a bound ÷ nothing: missing
    assert q.loc["drive-2019"].tolist() == ["exact", "exact", "exact", "exact", "exact"]
    assert q.loc["drive-2022", "achievement_qualifier"] == "about"
    assert q.loc["drive-2022", "units_collected_qualifier"] == "at_least"
    # 2022's history is "at least 7,500" units: the target's share of it is "at most" — but the
    # target itself is "about", so the share is only "about"
    assert q.loc["drive-2022", "target_share_of_history_qualifier"] == "about"
    assert q.loc["drive-2023", "target_share_of_history_qualifier"] == "at_most"  # exact ÷ at least


def test_missing_stays_missing_never_zero(folder, table, tmp_path):
    assert pd.isna(table.loc["drive-2021", ["units_collected", "achievement", "days", "start_date"]]).all()
    assert pd.isna(table.loc["drive-2018", ["target_units", "achievement"]]).all()
    assert pd.isna(table.loc["drive-2023", ["units_collected", "units_per_session"]]).all()
    assert table.loc["drive-2021", "units_collected_qualifier"] is None
    out = tmp_path / "editions.csv"
    table.reset_index().to_csv(out, index=False)
    back = pd.read_csv(out, keep_default_na=False, dtype=str).set_index("campaign_id")
    assert back.loc["drive-2021", "units_collected"] == "" and back.loc["drive-2021", "achievement"] == ""
    shown = comparison.shown(disclosure.no_people(table.reset_index()), "en")
    assert shown.loc["Units collected", "Drive 2021"] == "not published"
    assert not any(v.strip() in {"0", "0%", "0.0%"} for v in shown.to_numpy().ravel())


def test_sessions_held_from_a_sheet_without_campaign_ids(folder, table):
    sheet = pd.read_csv(folder / "sheet.csv", parse_dates=["session_date"])
    inside = sheet[sheet["session_date"].between("2023-07-03", "2023-07-07")]
    both = inside.dropna(subset=["turns"])
    row = table.loc["drive-2023"]
    assert (row["sessions"], row["sessions_qualifier"], row["sessions_basis"]) == (
        len(inside), "exact", "held")
    assert row["sites"] == inside["site"].nunique()
    assert row["turns"] == both["turns"].sum()
    assert row["yield"] == pytest.approx(both["units"].sum() / both["turns"].sum())
    # no sheet rows for 2019: its planned sessions, exact
    assert (table.loc["drive-2019", "sessions"], table.loc["drive-2019", "sessions_basis"]) == (10, "planned")
    assert table.loc["drive-2019", "units_per_session"] == pytest.approx(1100 / 10)


def test_history_before_each_edition(folder, table):
    totals = pd.read_csv(folder / "totals.csv", parse_dates=["as_of"])
    for cid, day in (("drive-2019", "2019-05-02"), ("drive-2022", "2022-06-01"),
                     ("drive-2021", "2021-01-01")):  # undated: 1 January of its year
        before = totals[totals["as_of"] <= day].iloc[-1]
        assert table.loc[cid, "history_units"] == before["units"]
    assert pd.isna(table.loc["drive-2018", "history_units"])  # nothing published before it


def test_key_figures_match_plain_pandas(folder, table):
    raw = pd.read_csv(folder / "campaigns.csv", parse_dates=["start_date"])
    figs = comparison.key_figures(table.reset_index())
    achieved = (raw["units_collected"] / raw["target_units"]).dropna()
    assert figs["editions"] == len(raw)
    assert figs["editions_with_result"] == raw["units_collected"].notna().sum()
    assert figs["mean_achievement"] == pytest.approx(achieved.mean())
    assert figs["mean_achievement_qualifier"] == "about"  # exact and about
    assert figs["best_edition"] == raw.loc[achieved.idxmax(), "campaign_id"]
    targeted = raw.dropna(subset=["target_units", "start_date"]).sort_values("start_date")
    first, last = targeted.iloc[0], targeted.iloc[-1]
    years = (last["start_date"] - first["start_date"]).days / 365.25
    assert figs["target_growth_per_year"] == pytest.approx((last["target_units"] / first["target_units"])
                                                           ** (1 / years) - 1)
    assert (figs["growth_from"], figs["growth_to"]) == ("drive-2019", "drive-2023")


def test_no_result_at_all_leaves_the_means_missing(folder):
    data = read(folder, ids=["drive-2021", "drive-2023"])
    figs = comparison.key_figures(table_of(data))
    assert figs["editions"] == 2 and figs["editions_with_result"] == 0
    assert figs["mean_achievement"] is None and figs["best_edition"] is None
    html = render.render("campaign_comparison", "key_findings", "en",
                         **context.findings(figs, table_of(data)))
    assert "None has a published final result" in html


def test_an_unknown_campaign_id_is_named(folder):
    with pytest.raises(UnknownCampaign, match="drive-1999"):
        read(folder, ids=["drive-2019", "drive-1999"])


# ------------------------------------------------------------------ the published data


def test_published_sessions_give_lower_bounds_only_where_no_plan_is_published():
    data = report_inputs.read({"campaigns_path": "data/published/campaigns.csv",
                               "totals_path": "data/published/totals.csv", "sessions_path": None,
                               "campaign_ids": None})
    table = table_of(data).set_index("campaign_id")
    press = pd.read_csv(config.PUBLISHED_SESSIONS_CSV)
    campaigns = pd.read_csv(config.CAMPAIGNS_CSV).set_index("campaign_id")
    n2020 = int((press["campaign_id"] == "giotmau-2020").sum())
    assert (table.loc["giotmau-2020", "sessions"], table.loc["giotmau-2020", "sessions_qualifier"]) == (
        n2020, "at_least")
    assert table.loc["giotmau-2020", "sites"] == campaigns.loc["giotmau-2020", "sites_planned"]
    assert table.loc["giotmau-2020", "units_per_session_qualifier"] == "at_most"
    assert table["yield"].isna().all()  # the press list gives no turns
