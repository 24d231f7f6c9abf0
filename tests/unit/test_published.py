"""data/published: every figure of the domain brief, with its source and qualifier.

The derived figures the core report must get right are checked here from the
files (never from numbers retyped in a notebook), and each published file that
is one of the input kinds loads through the data layer.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import config
from analysis.inputs.load import load, read_table, validate
from analysis.qualified import QUALIFIERS

PUBLISHED = sorted(config.PUBLISHED.glob("*.csv"))
# qualifier column -> the value column it qualifies
QUALIFIED = {
    "target_qualifier": ("target_units",),
    "registered_qualifier": ("registered",),
    "units_collected_qualifier": ("units_collected",),
    "units_qualifier": ("units",),
}
PLAIN_QUALIFIER_VALUES = ("value", "turns", "units")


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _sources() -> pd.DataFrame:
    return _read(config.SOURCES_CSV)


def test_sources_are_unique_and_described():
    sources = _sources()
    assert sources["source_id"].is_unique
    assert (sources["publisher"] != "").all() and (sources["title"] != "").all()


@pytest.mark.parametrize("path", [p for p in PUBLISHED if p != config.SOURCES_CSV],
                         ids=lambda p: p.name)
def test_every_source_id_is_in_sources(path):
    known = set(_sources()["source_id"])
    frame = _read(path)
    assert "source_id" in frame, f"{path.name} has no source_id column"
    for row, cell in frame["source_id"].items():
        ids = [s.strip() for s in cell.split(";") if s.strip()]
        assert ids, f"{path.name} row {row + 2}: no source"
        assert set(ids) <= known, f"{path.name} row {row + 2}: unknown {set(ids) - known}"


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: p.name)
def test_qualifiers_are_valid_and_go_with_a_value(path):
    frame = _read(path)
    for column in frame.columns:
        if column != "qualifier" and not column.endswith("_qualifier"):
            continue
        values = QUALIFIED.get(column) or tuple(c for c in PLAIN_QUALIFIER_VALUES if c in frame)
        for row, qualifier in frame[column].items():
            given = any(frame.at[row, v] != "" for v in values)
            where = f"{path.name} row {row + 2} {column}"
            assert (qualifier in QUALIFIERS) if given else qualifier == "", where


# (file, row selection, column, value, qualifier): the figures of the domain brief
BRIEF_FIGURES = [
    ("totals.csv", {"as_of": "2023-08-04"}, "turns", 26203, "exact"),
    ("totals.csv", {"as_of": "2023-08-04"}, "units", 22348, "exact"),
    ("totals.csv", {"source_id": "ldtd-2022"}, "turns", 22583, "exact"),
    ("totals.csv", {"source_id": "ldtd-2022"}, "units", 19152, "exact"),
    ("totals.csv", {"as_of": "2025-06-05"}, "turns", 32000, "at_least"),
    ("totals.csv", {"as_of": "2025-06-05"}, "units", 28000, "at_least"),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "target_units", 2300, "exact"),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "sessions_planned", 13, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "sites_planned", 12, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "registered", 3000, "about"),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "start_date", "2023-08-04", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2023"}, "end_date", "2023-08-25", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "start_date", "2020-04-20", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "end_date", "2020-04-29", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "sites_planned", 14, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "registered", 6000, "about"),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "target_units", 5000, "about"),
    ("campaigns.csv", {"campaign_id": "giotmau-2020"}, "units_collected", 6157, "exact"),
    ("campaigns.csv", {"campaign_id": "giotmau-2022"}, "sites_planned", 11, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2022"}, "target_units", 2300, "exact"),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "start_date", "2024-08-22", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "end_date", "2024-10-16", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "sessions_planned", 13, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "sites_planned", 12, None),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "target_units", 2300, "exact"),
    ("campaigns.csv", {"campaign_id": "giotmau-2024"}, "registered", 3000, "about"),
    ("campaigns.csv", {"campaign_id": "giotmau-2025"}, "start_date", "2025-06-05", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2025"}, "end_date", "2025-10-03", None),
    ("campaigns.csv", {"campaign_id": "giotmau-2025"}, "target_units", 2400, "exact"),
    ("checkpoints.csv", {"campaign_id": "giotmau-2020"}, "units", 1700, "at_least"),
    ("sessions.csv", {"site": "(site not named) 1"}, "units", 279, "exact"),
    ("sessions.csv", {"site": "(site not named) 2"}, "units", 209, "exact"),
    ("sessions.csv", {"site": "Hoàng Mai"}, "units", 300, "at_least"),
    ("sessions.csv", {"site": "Launch (Hà Nội)"}, "registered", 990, "exact"),
    ("sessions.csv", {"site": "Launch (Hà Nội)"}, "units", 867, "exact"),
    ("sessions.csv", {"site": "Tuyên Quang"}, "registered", 300, "about"),
    ("sessions.csv", {"site": "Tuyên Quang"}, "units", 240, "exact"),
    ("sessions.csv", {"site": "Quảng Nam"}, "units", 250, "exact"),
    ("sessions.csv", {"site": "Ninh Bình"}, "registered", 500, "about"),
    ("sessions.csv", {"site": "Ninh Bình"}, "units", 450, "exact"),
    ("sessions.csv", {"site": "Hà Nam"}, "registered", 600, "about"),
    ("sessions.csv", {"site": "Hà Nam"}, "units", 225, "exact"),
    ("facts.csv", {"fact_id": "officer_donation_count_min"}, "value", 10, "exact"),
    ("facts.csv", {"fact_id": "officer_donation_count_max"}, "value", 35, "exact"),
    ("facts.csv", {"fact_id": "launch_2023_participants"}, "value", 600, "at_least"),
    ("facts.csv", {"fact_id": "club_members_2021"}, "value", 6653, "exact"),
    ("facts.csv", {"fact_id": "award_2022_collectives"}, "value", 9, "exact"),
    ("facts.csv", {"fact_id": "staff_share_min_2025"}, "value", 0.15, "at_least"),
    ("national.csv", {"year": "2013", "scope": "national", "measure": "units"}, "value",
     1_000_000, "about"),
    ("national.csv", {"year": "2013", "measure": "population_share_donating"}, "value", 0.0108,
     "exact"),
    ("national.csv", {"year": "2015", "measure": "units"}, "value", 1_300_000, "at_least"),
    ("national.csv", {"year": "2015", "measure": "population_share_donating"}, "value", 0.014,
     "exact"),
    ("national.csv", {"year": "2018", "measure": "units"}, "value", 1_336_000, "exact"),
    ("national.csv", {"year": "2018", "measure": "voluntary_share"}, "value", 0.983, "exact"),
    ("national.csv", {"year": "2018", "measure": "population_share_donating"}, "value", 0.0168,
     "exact"),
    ("national.csv", {"year": "2021", "measure": "units"}, "value", 1_300_000, "at_least"),
    ("national.csv", {"year": "2021", "measure": "voluntary_share"}, "value", 0.99, "exact"),
    ("national.csv", {"year": "2023", "scope": "national", "measure": "units"}, "value",
     1_600_000, "at_least"),
    ("national.csv", {"year": "2023", "scope": "nihbt", "measure": "units"}, "value", 485_437,
     "exact"),
    ("national.csv", {"year": "2023", "measure": "whole_blood_units"}, "value", 450_000,
     "at_least"),
    ("national.csv", {"year": "2023", "measure": "apheresis_platelet_units"}, "value", 35_000,
     "at_least"),
    ("national.csv", {"year": "2023", "scope": "hanh_trinh_do", "measure": "units"}, "value",
     115_000, "at_least"),
    ("national.csv", {"year": "2023", "measure": "events"}, "value", 308, "exact"),
    ("national.csv", {"year": "2023", "measure": "provinces"}, "value", 46, "exact"),
    ("national.csv", {"year": "2024", "scope": "national", "measure": "units"}, "value",
     1_700_000, "at_least"),
    ("national.csv", {"year": "2024", "scope": "nihbt", "measure": "units"}, "value", 505_000,
     "at_least"),
    ("national.csv", {"year": "2024", "measure": "share_collected_in_hanoi"}, "value", 0.682,
     "exact"),
    ("national.csv", {"year": "2024", "measure": "share_350ml_or_more"}, "value", 0.80,
     "at_least"),
]


@pytest.mark.parametrize(("file", "where", "column", "value", "qualifier"), BRIEF_FIGURES,
                         ids=[f"{f}-{c}-{v}" for f, _, c, v, _ in BRIEF_FIGURES])
def test_brief_figure_is_published_with_its_source(file, where, column, value, qualifier):
    frame = _read(config.PUBLISHED / file)
    rows = frame
    for key, wanted in where.items():
        rows = rows[rows[key] == wanted]
    assert len(rows) == 1, f"{file}: {where} selects {len(rows)} rows"
    row = rows.iloc[0]
    cell = row[column]
    if isinstance(value, str):
        assert cell == value
    else:
        assert float(cell) == pytest.approx(value)
    if qualifier is not None:
        own = f"{column.removesuffix('_units')}_qualifier"
        qualifier_column = own if own in row else "qualifier"
        assert row[qualifier_column] == qualifier
    assert row["source_id"], f"{file}: {where} has no source"


# ---------------------------------------------------------------- derived figures


@pytest.fixture(scope="module")
def totals() -> pd.DataFrame:
    return load(config.TOTALS_CSV, "totals")


@pytest.fixture(scope="module")
def campaign_2023() -> pd.Series:
    return load(config.CAMPAIGNS_CSV, "campaigns").set_index("campaign_id").loc["giotmau-2023"]


@pytest.fixture(scope="module")
def history(totals, campaign_2023) -> pd.Series:
    """The latest cumulative totals dated on or before the 2023 start (the contract's rule)."""
    earlier = totals[totals["as_of"] <= campaign_2023["start_date"]]
    return earlier.sort_values("as_of").iloc[-1]


def test_historical_yield(history):
    assert (history["turns"], history["units"]) == (26203, 22348)
    assert round(history["units"] / history["turns"], 4) == 0.8529
    assert round(1 - history["units"] / history["turns"], 3) == 0.147


def test_2023_period_is_22_days(campaign_2023):
    assert (campaign_2023["end_date"] - campaign_2023["start_date"]).days + 1 == 22


def test_2023_target_per_session_and_per_day(campaign_2023):
    target, days = campaign_2023["target_units"], 22
    assert round(target / campaign_2023["sessions_planned"], 1) == 176.9
    assert round(target / days, 1) == 104.5


def test_2023_target_share_of_history(history, campaign_2023):
    assert round(campaign_2023["target_units"] / history["units"], 3) == 0.103


def test_required_yield_if_registered_present(history, campaign_2023):
    registered = campaign_2023["registered"]
    assert round(campaign_2023["target_units"] / registered, 3) == 0.767
    assert round(registered * history["units"] / history["turns"]) == 2559


# ------------------------------------------------------------- through the loaders


def test_totals_load_as_totals(totals):
    assert len(totals) == len(_read(config.TOTALS_CSV))
    assert str(totals["turns"].dtype) == "Int64" and set(totals["qualifier"]) <= set(QUALIFIERS)


def test_campaigns_load_as_campaigns():
    campaigns = load(config.CAMPAIGNS_CSV, "campaigns")
    assert campaigns["campaign_id"].str.fullmatch(r"giotmau-\d{4}").all()
    # 2022's dates were never published: empty, not invented
    row_2022 = campaigns.set_index("campaign_id").loc["giotmau-2022"]
    assert pd.isna(row_2022["start_date"]) and pd.isna(row_2022["end_date"])


def test_giotmau_sessions_load_as_sessions():
    from analysis.reports.campaign_progress import compute as progress

    campaigns = load(config.CAMPAIGNS_CSV, "campaigns")
    for campaign_id in ("giotmau-2020", "giotmau-2025"):
        frame = progress.published_sheet(campaign_id, campaigns)
        assert len(frame) and (frame["campaign_id"] == campaign_id).all()


def test_other_published_sessions_pass_the_session_rules_where_dated():
    """sessions.csv also lists single sessions of other forces, one of them undated."""
    raw = read_table(config.PUBLISHED_SESSIONS_CSV, "sessions")
    dated = raw[raw["session_date"].notna()]
    assert len(dated) == len(raw) - 1
    assert len(validate(dated, "sessions")) == len(dated)


# ----------------------------------------- the published tables go through a checked reader


def _copy_with(tmp_path, name: str, column: str, row: int, value: str):
    frame = _read(config.PUBLISHED / name)
    frame.loc[row, column] = value
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("table", "column", "value", "expected"), [
    ("sessions", "units_qualifier", "roughly", "expected one of exact, about, at_least, at_most"),
    ("totals", "units", "22.348 đơn vị", "expected a number"),
    ("checkpoints", "as_of", "23/04/2020", "expected a date written as 2023-08-04"),
    ("national", "value", "-5", "expected a number"),
])
def test_a_bad_published_cell_is_refused_with_file_row_and_column(tmp_path, table, column, value, expected):
    from analysis.errors import InputError
    from analysis.inputs import published

    path = _copy_with(tmp_path, f"{table}.csv", column, 0, value)
    with pytest.raises(InputError) as err:
        getattr(published, table)(str(path))
    assert str(err.value).startswith(f"{path}:2:{column}: ") and expected in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_a_published_table_without_a_required_column_is_refused(tmp_path):
    from analysis.errors import InputError
    from analysis.inputs import published

    path = tmp_path / "sessions.csv"
    _read(config.PUBLISHED_SESSIONS_CSV).drop(columns="units").to_csv(path, index=False)
    with pytest.raises(InputError, match=r"sessions.csv:1:units: missing column"):
        published.sessions(str(path))


def test_a_published_path_that_is_a_folder_is_refused_before_reading(tmp_path):
    from analysis.errors import InputError
    from analysis.inputs import published

    with pytest.raises(InputError, match="is a folder"):
        published.sessions(str(tmp_path))


def test_the_checked_tables_keep_every_published_figure():
    """The reader's numbers equal the file's text, cell by cell, and a missing figure stays missing."""
    from analysis.inputs import published

    for table in ("campaigns", "totals", "sessions", "national", "checkpoints"):
        raw = _read(config.PUBLISHED / f"{table}.csv")
        read = getattr(published, table)()
        for col in published.TABLES[table].get("numbers", ()):
            for text, value in zip(raw[col], read[col], strict=True):
                assert (pd.isna(value) if text == "" else float(value) == float(text)), (table, col, text)
