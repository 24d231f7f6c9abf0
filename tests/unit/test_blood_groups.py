"""campaign_progress's blood-group mix: against plain pandas, small cells hidden, text in both languages."""

from __future__ import annotations

import matplotlib.pyplot as plt  # conftest sets MPLBACKEND=agg
import pandas as pd
import pytest

from analysis import errors, inputs
from analysis.reports.campaign_progress import blood, charts, context, tables
from analysis.simulate import sessions as simulate
from analysis.text import render

GROUPS = ["blood_a", "blood_b", "blood_ab", "blood_o"]


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    """The simulated 2023 sheet as the notebook reads it (every session held)."""
    return inputs.load(simulate.SESSIONS_2023_CSV, "sessions")


def _sheet(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["site", *GROUPS])
    frame["units"] = frame[GROUPS].sum(axis=1)
    return frame


def _wide(table, column: str) -> pd.DataFrame:
    frame = table.frame
    return frame.pivot(index="site", columns="group", values=column)


def test_mix_matches_plain_pandas_where_shown(example):
    safe = blood.mix(example, min_cell=5)
    counts = example.groupby("site")[GROUPS].sum().astype(int)
    counts.loc[blood.OVERALL] = counts.sum()
    shares = counts.div(counts.sum(axis=1), axis=0)
    got, got_share = _wide(safe, "donors"), _wide(safe, "share")
    assert set(got.index) == set(counts.index) and len(got) == example["site"].nunique() + 1
    shown = got.notna()
    assert shown.sum().sum() > 0
    for site in counts.index:
        for group in GROUPS:
            if shown.loc[site, group]:
                assert got.loc[site, group] == counts.loc[site, group]
                assert float(got_share.loc[site, group]) == pytest.approx(shares.loc[site, group])
    totals = safe.frame.drop_duplicates("site").set_index("site")["site_donors"]
    pd.testing.assert_series_equal(totals.sort_index(), counts.sum(axis=1).sort_index(), check_names=False)
    assert totals[blood.OVERALL] == example["units"].sum()  # the sheet's blood groups add up to its units


def test_every_small_cell_is_hidden_and_no_total_gives_one_back(example):
    safe = blood.mix(example, min_cell=5)
    counts = example.groupby("site")[GROUPS].sum().astype(int)
    counts.loc[blood.OVERALL] = counts.sum()
    got = _wide(safe, "donors")
    hidden = got.isna()
    assert (hidden == (counts.reindex(index=got.index, columns=got.columns) < 5) | hidden).all().all()
    assert (hidden[counts.reindex(index=got.index, columns=got.columns) < 5]).sum().sum() >= 1
    assert not (hidden.sum(axis=1) == 1).any(), "a site's total gives one hidden cell back"
    sites = hidden.drop(index=blood.OVERALL)
    assert not (sites.sum(axis=0) == 1).any(), "the drive's total gives one hidden cell back"
    frame = safe.frame
    assert frame.loc[frame["suppressed"], "share"].isna().all()  # a hidden count hides its share
    small = frame["suppressed"] & ~frame["complementary"]
    assert (counts.stack().reindex(pd.MultiIndex.from_frame(frame.loc[small, ["site", "group"]])) < 5).all()


def test_one_small_cell_hides_what_would_give_it_back():
    sheet = _sheet([("North", 40, 30, 2, 50), ("South", 35, 25, 20, 45), ("East", 30, 28, 22, 40)])
    safe = blood.mix(sheet, min_cell=5)
    hidden = _wide(safe, "donors").isna()
    frame = safe.frame.set_index(["site", "group"])
    assert hidden.loc["North", "blood_ab"] and not frame.loc[("North", "blood_ab"), "complementary"]
    # the smallest other group of North, and the smallest other site's AB, hidden as "x"
    assert hidden.loc["North", "blood_b"] and frame.loc[("North", "blood_b"), "complementary"]
    assert hidden.loc["South", "blood_ab"] and frame.loc[("South", "blood_ab"), "complementary"]
    assert not (hidden.sum(axis=1) == 1).any()
    assert not (hidden.drop(index=blood.OVERALL).sum(axis=0) == 1).any()
    shown = tables.blood_shown(safe, None, "vi").set_index("Điểm hiến máu")
    assert shown.loc["North", "Nhóm AB"] == "<5" and shown.loc["North", "Nhóm B"] == "x"
    assert shown.loc["North", "Nhóm A"] == f"40\u00a0({100 * 40 / 122:.1f}%)".replace(".", ",")  # of 122
    assert "2" not in shown.loc["North", "Nhóm AB"]


def test_no_groups_no_section():
    sheet = pd.DataFrame({"site": ["North"], "units": [50]})
    assert blood.mix(sheet, 5) is None
    partial = _sheet([("North", 40, 30, 20, 50)]).astype({"blood_o": "Float64"})
    partial.loc[0, "blood_o"] = pd.NA
    assert blood.mix(partial, 5) is None  # a session counts only when it gives all four groups


@pytest.mark.parametrize("value, words", [
    ({"A": 0.5, "B": 0.5}, "exactly the groups"),
    ({"A": 0.5, "B": 0.5, "AB": 0.2, "O": 0.1}, "add up to 1"),
    ({"A": "half", "B": 0.5, "AB": 0, "O": 0}, "must be a number"),
    ([0.25, 0.25, 0.25, 0.25], "must map"),
])
def test_a_bad_reference_is_one_line_naming_the_parameter(value, words):
    with pytest.raises(errors.WorkbookError) as caught:
        blood.reference(value)
    message = str(caught.value)
    assert "blood_group_reference" in message and words in message and "\n" not in message


def test_a_reference_reads_any_spelling_of_the_groups():
    assert blood.reference({"a": 0.2, "B": 0.3, "blood_ab": 0.1, "O": 0.4}) == {
        "blood_a": 0.2, "blood_b": 0.3, "blood_ab": 0.1, "blood_o": 0.4}
    assert blood.reference(None) is None


REFERENCE = {"blood_a": 0.25, "blood_b": 0.25, "blood_ab": 0.25, "blood_o": 0.25}


@pytest.mark.parametrize("lang, says", [
    ("vi", {"title": "Nhóm máu", "share": "nhóm A 50,6%", "none": "Chưa có phân bố tham chiếu",
            "gap": "chênh lệch lớn nhất là nhóm A: 50,6% so với 25,0% (cao hơn 25,6 điểm phần trăm)",
            "hidden": "được ẩn (ghi &lt;5)"}),
    ("en", {"title": "Blood groups", "share": "group A 50.6%", "none": "There is no reference distribution",
            "gap": "the largest difference is in group A: 50.6% against 25.0% "
                   "(25.6 percentage points higher)",
            "hidden": "hidden (shown as &lt;5)"}),
])
def test_the_text_in_both_languages(example, lang, says):
    safe = blood.mix(example, min_cell=5)
    counts = example[GROUPS].sum()
    a_share = counts["blood_a"] / counts.sum()  # computed here, from the sheet
    assert f"{100 * a_share:.1f}" == "50.6"
    without = render.render("campaign_progress", "blood", lang,
                            **context.blood(safe, None, len(example), len(example)))
    for key in ("title", "share", "none", "hidden"):
        assert says[key] in without, key
    assert "blood_group_reference" not in without and "None" not in without
    with_ref = render.render("campaign_progress", "blood", lang,
                             **context.blood(safe, REFERENCE, len(example), len(example)))
    assert says["gap"] in with_ref and says["none"] not in with_ref
    shown = tables.blood_shown(safe, REFERENCE, lang)
    assert shown.iloc[-1, 2:].tolist() == ["25,0%" if lang == "vi" else "25.0%"] * 4
    for reference in (None, REFERENCE):
        fig = charts.blood_mix(safe, reference, lang)
        rows = len(tables.blood_shown(safe, reference, lang))  # the chart has a bar for each row
        assert fig.axes[0].get_title() and len(fig.axes[0].get_yticklabels()) == rows
        plt.close(fig)
        assert charts.blood_alt(safe, reference, lang)


def test_simulated_groups_add_up_to_units_and_are_blank_where_units_are():
    sheet = simulate.simulate_sessions()
    assert (sheet[GROUPS].sum(axis=1) == sheet["units"]).all()
    assert (sheet[GROUPS] >= 0).all().all()
    later = simulate.simulate_sessions(held_through="2023-08-15")
    blank = later["units"].isna()
    assert blank.any() and later.loc[blank, GROUPS].isna().all().all()
    assert later.loc[~blank, GROUPS].notna().all().all()


def test_moving_donors_between_hidden_cells_changes_no_output():
    """The small-cell bar: with every total kept, what the hidden cells hold changes nothing shown."""
    rows = [("North", 40, 30, 2, 50), ("South", 35, 25, 20, 45), ("East", 30, 28, 22, 40)]
    before = blood.mix(_sheet(rows), min_cell=5)
    # North's AB (small) and B (hidden with it) trade two donors; so do South's, the other way,
    # so the drive's B and AB totals stay as they were
    moved = [("North", 40, 28, 4, 50), ("South", 35, 27, 18, 45), ("East", 30, 28, 22, 40)]
    after = blood.mix(_sheet(moved), min_cell=5)
    for lang in ("vi", "en"):
        shown = [tables.blood_shown(table, None, lang) for table in (before, after)]
        pd.testing.assert_frame_equal(*shown)
        assert (render.render("campaign_progress", "blood", lang, **context.blood(before, None, 3, 3))
                == render.render("campaign_progress", "blood", lang, **context.blood(after, None, 3, 3)))
    pd.testing.assert_frame_equal(before.frame, after.frame)


def test_the_preflight_refuses_a_bad_reference():
    from analysis.reports.campaign_progress import inputs as report_inputs
    from analysis.run import params as run_params

    defaults = {"campaigns_path": "data/published/campaigns.csv", "campaign_id": "giotmau-2023",
                "sessions_path": "data/example/sessions_2023_simulated.csv", "as_of": None,
                "checkpoints_path": "data/published/checkpoints.csv",
                "totals_path": "data/published/totals.csv",
                "yield_sessions_path": "data/published/sessions.csv", "sessions_complete": True}
    assert report_inputs.read(defaults)["blood_reference"] is None
    bad = {**defaults, "blood_group_reference": {"A": 0.9, "B": 0.9, "AB": 0, "O": 0}}
    with pytest.raises(errors.WorkbookError, match="add up to 1"):
        report_inputs.read(bad)
    with pytest.raises(errors.WorkbookError, match=r"params/x\.yaml: blood_group_reference"):
        run_params.check_inputs("campaign_progress", bad, "params/x.yaml")  # the runner's preflight: exit 2
