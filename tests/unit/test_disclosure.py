"""The small-cell door: primary and complementary suppression, and the Safe type."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.model import disclosure


def by_sex(women: int, men: int, other: int = 40) -> pd.DataFrame:
    frame = pd.DataFrame({"group": ["F", "M", "other"], "donors": [women, men, other]})
    frame["share"] = frame["donors"] / frame["donors"].sum()
    return frame


def test_a_single_small_cell_takes_the_smallest_other_with_it():
    # donors add up to a published total: hiding F alone would let total − M − other give it back
    safe = disclosure.protect(by_sex(3, 120), 5, {"donors": ["share"]}, additive={"donors": None})
    out = safe.frame
    assert out["donors"].isna().tolist() == [True, False, True]  # F (small) and "other" (smallest left)
    assert out["share"].isna().tolist() == [True, False, True]
    assert out["complementary"].tolist() == [False, False, True]
    assert safe.hidden == 2 and safe.min_cell == 5  # hidden counts (their shares go with them)


def test_no_complement_when_nothing_or_two_are_hidden():
    none = disclosure.protect(by_sex(30, 120), 5, {"donors": ["share"]}, additive={"donors": None})
    assert none.frame["donors"].notna().all() and not none.frame["suppressed"].any() and none.hidden == 0
    two = disclosure.protect(by_sex(3, 120, 2), 5, {"donors": ["share"]}, additive={"donors": None})
    assert two.frame["donors"].isna().tolist() == [True, False, True]
    assert not two.frame["complementary"].any()


def test_without_additive_only_the_small_cell_goes():
    safe = disclosure.protect(by_sex(3, 120), 5, {"donors": ["share"]})
    assert safe.frame["donors"].isna().tolist() == [True, False, False]


def test_units_repeated_over_rows_count_once():
    # cohort sizes repeat on every years_after row of their cohort: one cohort is one unit
    table = pd.DataFrame({"cohort_year": [2019, 2019, 2020, 2020, 2021],
                          "cohort_donors": [3, 3, 60, 60, 45], "returned": [1, 1, 20, 18, 9]})
    counts = {"cohort_donors": ["returned"], "returned": []}
    safe = disclosure.protect(table, 5, counts, additive={"cohort_donors": "cohort_year"})
    hidden_cohorts = safe.frame.groupby("cohort_year")["cohort_donors"].first().isna()
    assert hidden_cohorts.to_dict() == {2019: True, 2020: False, 2021: True}
    assert safe.frame.loc[safe.frame["cohort_year"] == 2021, "returned"].isna().all()


def test_zero_is_small_and_an_empty_count_is_zero():
    table = pd.DataFrame({"donors": [0, None, 12]})
    assert disclosure.protect(table, 5, {"donors": []}).frame["donors"].isna().tolist() == [True, True, False]


def test_markers():
    assert disclosure.marker(False, 5) == "<5" and disclosure.marker(True, 5) == "x"


def test_the_door_is_checked():
    assert disclosure.require(disclosure.no_people(by_sex(1, 2))).frame["donors"].tolist() == [1, 2, 40]
    with pytest.raises(TypeError):
        disclosure.require(by_sex(1, 2))
    with pytest.raises(ValueError):
        disclosure.protect(by_sex(3, 120), 0, {"donors": []})
    with pytest.raises(KeyError):
        disclosure.protect(by_sex(3, 120), 5, {"visits": []})
