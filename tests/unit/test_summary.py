"""Visits summed up per donor (analysis/model/summary.py): the large-file engine's path against the loader's.

A large visits file is numbered and sorted in DuckDB (`inputs.load_visits` ->
`engine.compact_visits`: no donor id comes out); a small one is loaded, pseudonymised and
numbered by `returns.prepare`. Each test forces the engine's threshold down
(WORKBOOK_ENGINE_BYTES=1) so that small files take the large files' path, and compares
the prepared frames and every part of the summary with the loader's path on the same file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from test_retention import CONTRACT, hand_made

from analysis import errors, inputs
from analysis.reports.donor_retention import compute as retention

EXAMPLE = ROOT / "data" / "example" / "visits_simulated.csv"
SCALARS = ("presentations", "deferred", "has_outcome", "first_day", "end_day", "first_year")


def both(path, monkeypatch, columns=None):
    """(`load_visits` through DuckDB, the same file through the loader), each summed up;
    the two prepared frames are the same, cell by cell."""
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    kept = inputs.load_visits(path, columns)
    assert "donor" in kept and "donor_id" not in kept  # numbered by the engine
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", str(2**40))
    loaded = inputs.load_visits(path, columns)
    assert "donor_id" in loaded  # the loader's frame
    prepared = retention.prepare(kept)
    pd.testing.assert_frame_equal(prepared, retention.prepare(loaded))
    assert prepared.attrs == retention.prepare(loaded).attrs
    return retention.summarise(kept), retention.summarise(loaded)


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.donors, b.donors)
    assert {k: getattr(a, k) for k in SCALARS} == {k: getattr(b, k) for k in SCALARS}
    np.testing.assert_array_equal(a.gaps, b.gaps)
    np.testing.assert_array_equal(a.years, b.years)


def write(tmp_path, frame: pd.DataFrame, name="visits.csv"):
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def edge_cases() -> pd.DataFrame:
    """One-visit donors, a donor only ever deferred, a deferral before the first donation and
    after the last, missing sex and birth year (on the first row only, or on every row),
    donors first seen in a late row of the file, a return on the next day."""
    rows = [
        ("z9", "2021-03-01", "donated", "F", "1990"),
        ("a1", "2019-01-10", "donated", "", ""), ("a1", "2019-01-11", "donated", "M", "1980"),
        ("b2", "2020-06-01", "deferred", "F", "2001"),
        ("c3", "2018-12-31", "deferred", "M", "1975"), ("c3", "2019-01-01", "donated", "M", "1975"),
        ("c3", "2022-07-01", "donated", "M", "1975"), ("c3", "2023-07-01", "deferred", "M", "1975"),
        ("d4", "2024-05-05", "donated", "", ""),
        ("a1", "2021-02-02", "deferred", "M", "1980"), ("a1", "2020-02-02", "donated", "M", "1980"),
        ("e5", "2024-12-30", "donated", "M", "1950"),
    ]
    return pd.DataFrame(rows, columns=["donor_id", "visit_date", "outcome", "sex", "birth_year"])


def test_the_example_file(monkeypatch):
    a, b = both(EXAMPLE, monkeypatch)
    assert_same(a, b)
    assert retention.key_figures(a) == retention.key_figures(b)


@pytest.mark.parametrize("name", ["visits.csv", "visits.parquet"])
def test_edge_cases(tmp_path, monkeypatch, name):
    frame = edge_cases()
    if name.endswith(".parquet"):
        frame = frame.replace("", None).astype({"birth_year": "Int64"})
        frame["visit_date"] = pd.to_datetime(frame["visit_date"])
    a, b = both(write(tmp_path, frame, name), monkeypatch)
    assert_same(a, b)
    donors = a.donors
    assert len(donors) == 6 and (donors["donations"] == 0).sum() == 1  # b2 was only deferred
    assert donors["sex"].isna().sum() == 2  # a1 and d4: no sex on their first row in the file
    assert (donors["age_band"] == "unknown").sum() == 2
    assert a.gaps[1] == 1  # a1 came back the next day
    for table in (retention.cohort_retention, lambda d: retention.group_table(d, "sex", 1).frame,
                  lambda d: retention.group_table(d, "age_band", 1).frame):
        pd.testing.assert_frame_equal(table(a), table(b))


def test_the_hand_made_visits(tmp_path, monkeypatch):
    """test_retention's visits, whose figures are checked there by hand and against DuckDB."""
    a, b = both(write(tmp_path, hand_made()), monkeypatch)
    assert_same(a, b)
    got, expected = retention.key_figures(a), retention.key_figures(b)
    assert {k: got[k] for k in CONTRACT} == {k: expected[k] for k in CONTRACT}


def test_without_outcome_sex_or_birth_year(tmp_path, monkeypatch):
    frame = hand_made()[["donor_id", "visit_date"]]
    a, b = both(write(tmp_path, frame), monkeypatch)
    assert_same(a, b)
    assert not a.has_outcome and a.deferred == 0 and list(a.donors.columns)[-1] == "last_day"
    assert retention.key_figures(a)["deferral_rate"] is None


def test_sex_outcome_and_birth_year_present_but_empty(tmp_path, monkeypatch):
    frame = hand_made()[["donor_id", "visit_date"]].assign(sex="", outcome="", birth_year="")
    a, b = both(write(tmp_path, frame), monkeypatch)
    assert_same(a, b)
    assert a.has_outcome and a.deferred == 0 and a.donors["sex"].isna().all()
    assert (a.donors["age_band"] == "unknown").all()


def test_more_years_than_a_mask_holds(tmp_path, monkeypatch):
    """Visits 80 years apart: a cohort table of 81 × 81 years, each cell in its place."""
    rows = [("o1", "1940-05-01"), ("o1", "1941-05-01"), ("o1", "2019-01-01"), ("n2", "2020-01-01")]
    frame = pd.DataFrame(rows, columns=["donor_id", "visit_date"])
    a, b = both(write(tmp_path, frame), monkeypatch)
    assert_same(a, b)
    assert a.years.shape == (81, 81) and a.years[0, 1] == 1 and a.years[0, 79] == 1
    pd.testing.assert_frame_equal(retention.cohort_retention(a), retention.cohort_retention(b))


def test_a_repeated_visit_is_refused_with_the_loaders_message(tmp_path, monkeypatch):
    frame = pd.concat([hand_made(), hand_made().iloc[[3]]], ignore_index=True)
    path = write(tmp_path, frame)
    messages = []
    for threshold in ("1", str(2**40)):
        monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", threshold)
        with pytest.raises(errors.InputError) as caught:
            inputs.load_visits(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "repeats row" in messages[0]


def test_no_raw_id_comes_out_of_the_engine(tmp_path, monkeypatch):
    frame = hand_made()
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    kept = inputs.load_visits(write(tmp_path, frame))
    assert list(kept.columns) == ["donor", "day", "outcome", "sex", "birth_year"]
    cells = {str(v) for column in kept for v in kept[column].unique()}
    assert not set(frame["donor_id"]) & cells
    # donors numbered 0..n-1 in order of first visit in the file, visits sorted by donor then day
    first_seen = pd.factorize(frame["donor_id"])[0]
    assert sorted(kept["donor"].unique()) == list(range(frame["donor_id"].nunique()))
    expected = frame.assign(donor=first_seen, day=pd.to_datetime(frame["visit_date"]).dt.normalize())
    expected = expected.sort_values(["donor", "day"])
    assert kept["donor"].tolist() == expected["donor"].tolist()
    assert (kept["day"].to_numpy() == (expected["day"] - pd.Timestamp(0)).dt.days.to_numpy()).all()


def test_summarise_takes_the_loaded_and_the_prepared_frame(tmp_path, monkeypatch):
    a, _ = both(write(tmp_path, hand_made()), monkeypatch)
    assert_same(retention.summarise(hand_made()), a)
    assert_same(retention.summarise(retention.prepare(hand_made())), a)


def test_xlsx_goes_to_the_loader(tmp_path, monkeypatch):
    path = tmp_path / "visits.xlsx"
    hand_made().to_excel(path, index=False)
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    assert "donor_id" in inputs.load_visits(path)  # the loader's frame
