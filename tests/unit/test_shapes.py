"""Files as analysts keep them: a date in parts or at its grain, columns left out, notes
under the table, breakdowns recognised or declared, regions and their total row.

Each test writes a small file into tmp_path and loads it as a user would.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from analysis.errors import InputError, InputNote
from analysis.inputs.load import load
from analysis.reports.trends import compute as trends
from analysis.reports.trends import periods
from analysis.run import check
from analysis.run.params import ParamSpec, check_value


def write(tmp_path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def quiet_load(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputNote)
        return load(*args, **kw)


# ------------------------------------------------------------------ dates from parts


def test_year_and_month_columns_make_a_monthly_date(tmp_path):
    path = write(tmp_path, "year,month,donations\n2017,1,1606\n2017,2,1500\n2018,1,1700\n")
    frame = quiet_load(path, "timeseries", {"date": ["year", "month"]})
    assert frame["date"].tolist() == [pd.Timestamp(2017, 1, 1), pd.Timestamp(2017, 2, 1),
                                      pd.Timestamp(2018, 1, 1)]
    assert list(frame.columns) == ["date", "donations"]  # the parts are no breakdown
    assert frame.attrs["grains"] == {"date": "month"}


def test_month_grain_is_kept_where_the_dates_alone_would_say_year(tmp_path):
    """January of each year only: dated 1 January, the dates alone read as yearly figures."""
    path = write(tmp_path, "Năm;Tháng;Số lượt hiến\n2020;1;10\n2021;1;12\n2022;1;15\n")
    frame = quiet_load(path, "timeseries", {"date": ["Năm", "Tháng"]})
    assert periods.native_grain(frame["date"]) == "year"
    assert periods.grain(frame) == "month"
    sel = trends.select_region(frame)
    assert periods.grain(sel.series) == "month"
    with pytest.raises(Exception, match="finer than the data"):
        periods.by_period(sel.series, "day")


@pytest.mark.parametrize(("parts", "header", "rows", "expected", "grain"), [
    (["year", "week"], "year,week", ["2023,31", "2023,W32"], ["2023-07-31", "2023-08-07"], "week"),
    (["year", "quarter"], "year,quarter", ["2023,3", "2023,Quý IV"], ["2023-07-01", "2023-10-01"],
     "quarter"),
    (["y", "m", "d"], "y,m,d", ["2023,8,4", "2023,8,5"], ["2023-08-04", "2023-08-05"], "day"),
    ({"year": "Năm", "quarter": "Kỳ"}, "Năm,Kỳ", ["2023,Q1", "2023,Q2"], ["2023-01-01", "2023-04-01"],
     "quarter"),
])
def test_other_parts(tmp_path, parts, header, rows, expected, grain):
    path = write(tmp_path, f"{header},donations\n" + "".join(f"{r},5\n" for r in rows))
    frame = quiet_load(path, "timeseries", {"date": parts})
    assert frame["date"].tolist() == [pd.Timestamp(d) for d in expected]
    assert frame.attrs["grains"] == {"date": grain}


def test_a_part_that_is_wrong_is_one_line_with_its_row_and_column(tmp_path):
    path = write(tmp_path, "year,month,donations\n2017,1,5\n2017,13,5\n2023,2,5\n")
    with pytest.raises(InputError) as err:
        load(path, "timeseries", {"date": ["year", "month"]})
    assert str(err.value) == (f"{path}:3:month: '13' is not a month, expected a month from 1 to 12 "
                              "(8, 08, T8, Tháng 8, Aug)")
    path = write(tmp_path, "year,month,day,donations\n2023,2,30,5\n", "d.csv")
    with pytest.raises(InputError, match=r":2:day: 30/2/2023 is not a real date"):
        load(path, "timeseries", {"date": ["year", "month", "day"]})


def test_parts_that_make_no_date_are_refused(tmp_path):
    path = write(tmp_path, "year,day,donations\n2017,1,5\n")
    with pytest.raises(InputError, match="do not make a date"):
        load(path, "timeseries", {"date": {"year": "year", "day": "day"}})
    with pytest.raises(InputError, match="only a date may be made of parts"):
        load(path, "timeseries", {"donations": ["year", "day"]})


@pytest.mark.parametrize(("text", "day", "grain"), [
    ("2023-08", "2023-08-01", "month"), ("08/2023", "2023-08-01", "month"),
    ("8/2023", "2023-08-01", "month"), ("Tháng 8/2023", "2023-08-01", "month"),
    ("T8/2023", "2023-08-01", "month"), ("Q3/2023", "2023-07-01", "quarter"),
    ("Quý 3/2023", "2023-07-01", "quarter"), ("2023-W31", "2023-07-31", "week"),
])
def test_single_texts_at_their_grain(tmp_path, text, day, grain):
    path = write(tmp_path, f"Thời gian;Số lượt hiến\n{text};100\n")
    frame = quiet_load(path, "timeseries")
    assert frame["date"].tolist() == [pd.Timestamp(day)]
    assert frame.attrs["grains"] == {"date": grain}


def test_day_dates_have_no_declared_grain(tmp_path):
    frame = quiet_load(write(tmp_path, "date,donations\n04/08/2023,1\n"), "timeseries")
    assert frame.attrs["grains"] == {}


def test_command_line_and_params_accept_a_date_in_parts():
    assert check.parse_columns('{"date": ["year", "month"], "STT": null}') == {
        "date": ["year", "month"], "STT": None}
    spec = ParamSpec("timeseries_columns", "Optional[dict]", None, "")
    assert check_value(spec, {"date": ["year", "month"], "Ghi chú": None}) is None
    assert check_value(spec, {"date": [1, 2]}) is not None


def test_workbook_check_reads_a_monthly_file(tmp_path, capsys):
    path = write(tmp_path, "year,month,donations\n2017,1,1606\n2017,2,1500\n")
    code = check.run_check(str(path), "timeseries", '{"date": ["year", "month"]}')
    out = capsys.readouterr().out
    assert code == 0 and "2 rows, 01/01/2017–01/02/2017, donations 3,106" in out


# ------------------------------------------------------------------ columns left out, notes


def test_null_leaves_a_column_out(tmp_path):
    path = write(tmp_path, "date,donations,Ghi chú\n04/08/2023,1,x\n")
    frame = quiet_load(path, "timeseries", {"Ghi chú": None})
    assert "Ghi chú" not in frame
    with pytest.raises(InputError, match="leaves out 'Nope' \\(null\\), but no column"):
        load(path, "timeseries", {"Nope": None})


def test_a_footnote_under_the_table_is_skipped_with_a_note(tmp_path):
    path = write(tmp_path, "date,donations,region\n04/08/2023,1,A\n05/08/2023,2,A\n"
                           "Nguồn: Bộ Y tế,,\nGhi chú: số liệu sơ bộ,,\n")
    with pytest.warns(InputNote, match="rows 4–5 under the table"):
        frame = load(path, "timeseries")
    assert frame["donations"].tolist() == [1, 2]


def test_a_row_with_a_date_and_no_figure_is_still_an_error(tmp_path):
    path = write(tmp_path, "date,donations\n04/08/2023,1\n05/08/2023,\n")
    with pytest.raises(InputError, match=":3:donations: empty"):
        load(path, "timeseries")


# ------------------------------------------------------------------ breakdowns


def test_only_recognised_columns_are_breakdowns(tmp_path):
    """Year and month not mapped as the date, a row number and a note column are no breakdowns:
    they are ignored (the row number without a word), and the report is told which."""
    path = write(tmp_path, "STT,date,year,donations,new_donors,repeat_donors,A,B,AB,O,Ghi chú\n"
                           "1,2017-01-01,2017,100,40,60,30,20,10,40,\n"
                           "2,2017-02-01,2017,110,50,60,30,30,10,40,lễ\n")
    with pytest.warns(InputNote, match="2 columns ignored .*'year', 'Ghi chú'"):
        frame = load(path, "timeseries")
    assert list(frame.columns) == ["date", "donations", "blood_a", "blood_b", "blood_ab", "blood_o",
                                   "new_donors", "repeat_donors"]
    assert frame.attrs["ignored_columns"] == ["year", "Ghi chú"]
    groups = {g["name"]: g["parts"] for g in frame.attrs["breakdowns"]}
    assert groups == {"blood": ["blood_a", "blood_b", "blood_ab", "blood_o"],
                      "donor_type": ["new_donors", "repeat_donors"]}
    sel = trends.select_region(frame)
    assert sel.ignored == ["year", "Ghi chú"]


def test_year_is_not_a_breakdown_of_its_total(tmp_path):
    """Before: 'year = 2017 is more than 1606' on every row."""
    path = write(tmp_path, "date,year,donations\n2017-01-01,2017,1606\n")
    frame = quiet_load(path, "timeseries")
    assert frame["donations"].tolist() == [1606]


def test_nested_breakdowns_are_checked_each_against_its_own_total(tmp_path):
    head = "date,donations,whole_blood,bag_250,bag_350,components\n"
    good = write(tmp_path, head + "2017-01-01,100,80,30,50,20\n2017-02-01,90,70,30,40,20\n")
    declared = [{"whole_blood": ["bag_250", "bag_350"]}, "components"]
    with pytest.raises(InputError, match="whole_blood \\+ bag_250 \\+ bag_350 \\+ components = 180"):
        load(good, "timeseries", breakdowns=["whole_blood", "bag_250", "bag_350", "components"])
    frame = quiet_load(good, "timeseries", breakdowns=declared)
    groups = [(g["total"], g["parts"]) for g in frame.attrs["breakdowns"]]
    assert groups == [("donations", ["whole_blood", "components"]),
                      ("whole_blood", ["bag_250", "bag_350"])]
    assert frame.attrs["ignored_columns"] == []
    bad = write(tmp_path, head + "2017-01-01,100,80,40,50,20\n", "bad.csv")
    with pytest.raises(InputError) as err:
        load(bad, "timeseries", breakdowns=declared)
    assert str(err.value) == (f"{bad}:2:whole_blood: bag_250 + bag_350 = 90 is more than 80, "
                              "expected the breakdown not to exceed whole_blood")


def test_a_declared_breakdown_the_file_lacks_is_refused(tmp_path):
    path = write(tmp_path, "date,donations\n2017-01-01,100\n")
    with pytest.raises(InputError, match="the breakdowns name 'plasma', but no column is headed so"):
        load(path, "timeseries", breakdowns=["plasma"])


def test_independent_declared_groups(tmp_path):
    path = write(tmp_path, "date,donations,fixed,mobile,students,workers\n2017-01-01,100,60,40,70,30\n")
    frame = quiet_load(path, "timeseries", breakdowns=[["fixed", "mobile"], ["students", "workers"]])
    assert [g["parts"] for g in frame.attrs["breakdowns"]] == [["fixed", "mobile"], ["students", "workers"]]


def test_breakdowns_parameter_is_checked_before_running():
    spec = ParamSpec("timeseries_breakdowns", "Optional[Union[list, dict]]", None, "")
    assert check_value(spec, [{"whole_blood": ["bag_250", "bag_350"]}, "components"]) is None
    assert check_value(spec, {"whole_blood": ["bag_250"]}) is None
    assert check_value(spec, [1, 2]) is not None


# ------------------------------------------------------------------ regions and totals


def national_file(tmp_path, nudge: int = 0, name: str = "Malaysia", days: int = 2000):
    """13 states, daily, and a national row holding their sum; `nudge` is added to one state
    on one day (the national row is not told)."""
    rng = pd.Series(range(days))
    dates = pd.date_range("2018-01-01", periods=days, freq="D")
    states = [f"State {k:02d}" for k in range(13)]
    parts = []
    for k, state in enumerate(states):
        values = (50 + 10 * k + (rng * (k + 1)) % 37).to_numpy()
        parts.append(pd.DataFrame({"date": dates, "state": state, "donations": values}))
    frame = pd.concat(parts, ignore_index=True)
    national = frame.groupby("date", as_index=False)["donations"].sum().assign(state=name)
    frame = pd.concat([frame, national], ignore_index=True)
    expected = int(national["donations"].sum())
    if nudge:
        at = frame.index[(frame["state"] == "State 05") & (frame["date"] == dates[days // 3])][0]
        frame.loc[at, "donations"] += nudge
    path = tmp_path / "states.csv"
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path, expected


@pytest.mark.parametrize("name", ["Malaysia", "Tổng cộng", "Region X"])
def test_a_total_row_off_by_one_on_one_day_is_still_the_total(tmp_path, name):
    """A state column found without a mapping; the national row (named as the country, as a
    total, or neither) is the total even with one state's day off by one, so nothing is
    counted twice (an earlier rule needed an exact sum on every date)."""
    path, expected = national_file(tmp_path, nudge=1, name=name)
    frame = quiet_load(path, "timeseries")
    assert "region" in frame
    sel = trends.select_region(frame)
    assert sel.total_region == name and len(sel.regions) == 13
    assert sel.total.rule == {"Malaysia": "country", "Tổng cộng": "name", "Region X": "sum"}[name]
    assert sel.total.share == 1.0 and 0 < sel.total.gap < 0.001  # not exact, well within 0.5%
    assert int(sel.series["donations"].sum()) == expected
    assert int(frame["donations"].sum()) > 1.9 * expected  # what adding it up would give


def test_workbook_check_reports_the_total_without_double_counting(tmp_path, capsys):
    path, expected = national_file(tmp_path, nudge=1, name="Region X")
    assert check.run_check(str(path), "timeseries") == 0
    out = capsys.readouterr().out
    assert f"donations {expected:,} (total row 'Region X' of 13 regions: it matches the sum" in out
    assert re.search(r"within 0\.5% of the others' sum on 100\.0% of 2,000 dates, largest gap 0\.0\d%", out)


@pytest.mark.parametrize(("off", "found"), [(0.03, True), (0.10, False)])
def test_a_total_may_miss_on_few_dates_only(tmp_path, off, found):
    """Off by 2% on 3% of the dates: still the total; on 10% of them: no total row."""
    path, _ = national_file(tmp_path, name="Region X", days=400)
    frame = quiet_load(path, "timeseries")
    national = frame.index[frame["region"] == "Region X"]
    wrong = national[: int(off * len(national))]
    frame.loc[wrong, "donations"] = (frame.loc[wrong, "donations"] * 1.02).round().astype("Int64")
    sel = trends.select_region(frame)
    assert (sel.total_region == "Region X") is found
    if found:
        assert sel.total.share == pytest.approx(1 - off) and sel.total.gap == pytest.approx(0.02, abs=0.002)


def test_no_total_when_no_region_matches(tmp_path):
    frame = pd.DataFrame({"date": pd.to_datetime(["2020-01-01"] * 3 + ["2020-01-02"] * 3),
                          "region": ["A", "B", "C"] * 2, "donations": [1, 2, 4, 1, 2, 4]})
    assert trends.select_region(frame).total_region is None


def test_exclude_regions(tmp_path):
    path, expected = national_file(tmp_path, name="Region X")
    frame = quiet_load(path, "timeseries")
    sel = trends.select_region(frame, None, ["Region X"])
    assert sel.total_region is None and sel.excluded == ["Region X"]
    assert int(sel.series["donations"].sum()) == expected  # the 13 states added up
    sel = trends.select_region(frame, None, ["State 00"])
    assert sel.total_region is None  # the national row no longer matches the others' sum
    with pytest.raises(Exception, match="exclude_regions names 'Atlantis', not in the file"):
        trends.select_region(frame, None, ["Atlantis"])


@pytest.mark.parametrize("header", ["state", "Province", "prefecture", "Tỉnh", "tinh", "region",
                                    "Vùng", "bang", "Tỉnh/thành phố"])
def test_region_column_found_by_its_usual_names(tmp_path, header):
    path = write(tmp_path, f"date,{header},donations\n2020-01-01,A,1\n2020-01-01,B,2\n")
    assert quiet_load(path, "timeseries")["region"].tolist() == ["A", "B"]


def test_repeated_dates_name_the_column_that_would_tell_them_apart(tmp_path):
    path = write(tmp_path, "date,negara_bahagian,donations\n2020-01-01,A,1\n2020-01-01,B,2\n")
    with pytest.raises(InputError) as err:
        load(path, "timeseries")
    first = str(err.value).splitlines()[0]
    assert first == (f"{path}::negara_bahagian: dates repeat, and column 'negara_bahagian' tells the "
                     'rows apart: if it holds the regions, map it: {"region": "negara_bahagian"}')


# ------------------------------------------------------------------ units, breakdown charts


def test_counts_with_a_unit_word_are_read_and_noted_once(tmp_path):
    path = write(tmp_path, "Ngày;Điểm hiến máu;Số đơn vị máu;Số lượt\n04/08/2023;A;442 đơn vị;500 lượt\n"
                           "05/08/2023;B;300 đv;320\n06/08/2023;C;12 units;15\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputNote)
        frame = load(path, "sessions")
    assert frame["units"].tolist() == [442, 300, 12] and frame["turns"].tolist() == [500, 320, 15]
    notes = [str(w.message) for w in caught if issubclass(w.category, InputNote)]
    assert len(notes) == 2 and "column 'Số đơn vị máu'" in notes[0] and "'442 đơn vị'" in notes[0]


def test_a_unit_word_that_does_not_fit_is_refused(tmp_path):
    path = write(tmp_path, "date,donations\n2020-01-01,442 ml\n")
    with pytest.raises(InputError, match=r":2:donations: '442 ml' is not a number"):
        load(path, "timeseries")


def test_each_breakdown_group_is_its_own_panel_with_readable_labels(tmp_path):
    from analysis.reports.trends import charts, context

    rows = ["date,donations,A,B,AB,O,new_donors,repeat_donors,whole_blood,bag_250,bag_350,plasma"]
    for k, day in enumerate(pd.date_range("2020-01-01", "2021-12-01", freq="MS")):
        rows.append(f"{day:%Y-%m-%d},{100 + k},{40 + k},30,10,20,{30 + k},70,{80 + k},30,{50 + k},20")
    path = write(tmp_path, "\n".join(rows) + "\n")
    frame = quiet_load(path, "timeseries", breakdowns=[{"whole_blood": ["bag_250", "bag_350"]}, "plasma"])
    sel = trends.select_region(frame)
    shares = trends.shares_table(sel.series, "month")
    table = shares.frame
    assert set(table["group"]) == {"blood", "donor_type", "declared", "whole_blood"}
    jan = table[table["start"] == pd.Timestamp("2020-01-01")].set_index("breakdown")["share"]
    assert jan["blood_a"] == pytest.approx(40 / 100) and jan["bag_350"] == pytest.approx(50 / 80)
    fig = charts.shares_chart(shares, "vi")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert titles == ["Cơ cấu được khai báo", "Whole blood (tỷ trọng trong tổng của chính nó)",
                      "Nhóm máu", "Người hiến mới và hiến nhắc lại"]
    legend = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert legend == ["Nhóm A", "Nhóm B", "Nhóm AB", "Nhóm O"]
    ctx = context.breakdown(shares, "en")
    assert ctx["groups"][2] == {"name": "Blood groups", "nested": False, "total": "Donations",
                                "parts": ["Group A", "Group B", "Group AB", "Group O"]}
    assert {"name": "Whole blood", "nested": True, "total": "Whole blood",
            "parts": ["Bag 250", "Bag 350"]} in ctx["groups"]


# ------------------------------------------------------------------ held out: a monthly file


def test_held_out_monthly_file_with_parts_row_numbers_and_nested_breakdowns(tmp_path):
    """A national monthly file as a ministry keeps it: STT, năm and tháng columns, donors =
    whole blood + components, whole blood = 250 ml + 350 ml bags, a note under the table.
    Totals and growth from the loader and trends must equal plain pandas on the same numbers."""
    import numpy as np

    from analysis.reports.trends import growth

    rng = np.random.default_rng(18)
    months = pd.period_range("2015-01", "2023-12", freq="M")
    trend = 1500 * 1.04 ** (np.arange(len(months)) / 12)
    season = 1 + 0.15 * np.sin(2 * np.pi * months.month / 12)
    bag_250 = rng.poisson(0.35 * trend * season)
    bag_350 = rng.poisson(0.45 * trend * season)
    components = rng.poisson(0.2 * trend * season)
    whole = bag_250 + bag_350
    donors = whole + components
    raw = pd.DataFrame({"STT": np.arange(1, len(months) + 1), "Năm": months.year, "Tháng": months.month,
                        "Tổng người hiến": donors, "Máu toàn phần": whole, "Túi 250": bag_250,
                        "Túi 350": bag_350, "Thành phần": components})
    path = tmp_path / "monthly.csv"
    text = raw.to_csv(index=False, sep=";") + "Nguồn: số liệu mô phỏng;;;;;;;\n"
    path.write_text(text, encoding="utf-8")
    columns = {"date": ["Năm", "Tháng"], "donations": "Tổng người hiến"}
    declared = [{"Máu toàn phần": ["Túi 250", "Túi 350"]}, "Thành phần"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputNote)
        frame = load(path, "timeseries", columns, breakdowns=declared)
    assert frame.attrs["ignored_columns"] == []  # STT left out without a word, parts are the date
    assert [str(w.message) for w in caught if issubclass(w.category, InputNote)] == [
        f"{path}: row {len(months) + 2} under the table: text in the first column only, read as a "
        "note and skipped"]
    sel = trends.select_region(frame)
    table = trends.period_table(sel.series, "month")
    figs = trends.key_figures(table, sel)
    # by hand
    yearly = raw.groupby("Năm")["Tổng người hiến"].sum()
    assert figs["data_grain"] == "month" and figs["periods"] == len(months)
    assert figs["total_donations"] == int(raw["Tổng người hiến"].sum())
    assert figs["period_start"] == "2015-01" and figs["period_end"] == "2023-12"
    assert figs["growth_rate"] == pytest.approx((yearly[2023] / yearly[2015]) ** (1 / 8) - 1)
    assert figs["growth_rate_recent"] == pytest.approx((yearly[2023] / yearly[2018]) ** (1 / 5) - 1)
    by_month = raw.groupby(["Năm", "Tháng"])["Tổng người hiến"].sum()
    assert figs["peak_donations"] == int(by_month.max()) and figs["trough_donations"] == int(by_month.min())
    profile = growth.seasonal_profile(sel.series)
    means = raw.groupby("Tháng")["Tổng người hiến"].mean()
    assert profile.set_index("month")["mean"].to_numpy() == pytest.approx(means.to_numpy())
    assert figs["seasonal_amplitude"] == pytest.approx((means.max() - means.min()) / means.mean())
    yearly_table = trends.period_table(sel.series, "year").frame.set_index("period")["donations"]
    assert yearly_table.astype(int).to_dict() == {str(y): int(v) for y, v in yearly.items()}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_report_says_how_the_total_row_was_found_and_which_columns_were_ignored(tmp_path, lang):
    from analysis.reports.trends import context
    from analysis.text import render

    path, _ = national_file(tmp_path, nudge=1, name="Region X", days=400)
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([text[0] + ",Ghi chú", *(line + "," for line in text[1:])]) + "\n",
                    encoding="utf-8")
    frame = quiet_load(path, "timeseries")
    sel = trends.select_region(frame)
    table = trends.period_table(sel.series, "month")
    figs = trends.key_figures(table, sel)
    ctx = context.overview(figs, table, sel, "donations", "month", lang)
    assert (ctx["total_rule"], ctx["total_share"], ctx["ignored"]) == ("sum", 1.0, ["Ghi chú"])
    html = render.render("trends", "overview", lang, **ctx)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    if lang == "en":
        assert 'Region "Region X" matches the sum of the other 13 regions' in words
        assert re.search(r"within 0\.5% of their sum on 100\.0% of the dates \(largest gap 0\.\d\d%\)", words)
        assert "Ignored column: Ghi chú" in words
    else:
        assert 'Khu vực "Region X" khớp với tổng của 13 khu vực còn lại' in words
        assert "Cột bị bỏ qua: Ghi chú" in words


def test_a_lone_value_in_the_last_row_is_no_note(tmp_path):
    """'Site A' alone in the last row of a session sheet is an incomplete row, not a note."""
    path = write(tmp_path, "Ngày,Điểm hiến máu,Số đơn vị máu\n04/08/2023,Site A,100\n,Site B,\n")
    with pytest.raises(InputError, match=":3:Ngày: empty"):
        load(path, "sessions", campaigns=None)


def test_a_missing_date_suggests_its_parts(tmp_path):
    path = write(tmp_path, "Năm,Tháng,Số lượt hiến\n2020,1,5\n")
    with pytest.raises(InputError, match=r"made of its parts: \{.date.: \[.Năm., .Tháng.\]\}"):
        load(path, "timeseries")


def test_workbook_check_takes_declared_breakdowns(tmp_path, capsys):
    path = write(tmp_path, "date,donations,whole_blood,bag_250,bag_350\n2017-01-01,100,80,40,50\n")
    code = check.run_check(str(path), "timeseries", None, '[{"whole_blood": ["bag_250", "bag_350"]}]')
    assert code == 1 and "bag_250 + bag_350 = 90 is more than 80" in capsys.readouterr().err
    assert check.run_check(str(path), "timeseries", None, "[1]") == 2


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_report_says_what_the_loader_read_for_the_analyst(tmp_path, lang):
    """Unit words and notes under the table are said once in the report, in its language;
    the trends reader keeps them out of the notebook's warnings."""
    from analysis.reports.trends import context
    from analysis.reports.trends import inputs as trend_inputs
    from analysis.text import render

    path = write(tmp_path, "date,donations,STT2,Ghi chú\n2023-08-01,442 đơn vị,1,\n2023-09-01,300 units,2,x\n"
                           "Nguồn: sở y tế,,,\n* số liệu sơ bộ,,,\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputNote)
        frame = trend_inputs.read_series(path)
    sel = trends.select_region(frame)
    assert (sel.unit_words, sel.note_rows, sel.ignored) == (["donations"], [4, 5], ["STT2", "Ghi chú"])
    table = trends.period_table(sel.series, "month")
    figs = trends.key_figures(table, sel)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render.render(
        "trends", "overview", lang, **context.overview(figs, table, sel, "donations", "month", lang))))
    if lang == "en":
        assert "Ignored columns: STT2, Ghi chú (neither" in words
        assert "without this note). Counts written with a unit word" in words
        assert "read as their numbers in: donations. Rows 4–5 under the table were read as notes" in words
    else:
        assert "được đọc thành số ở: donations. Các dòng 4–5 dưới bảng là ghi chú" in words


def test_daily_file_by_state_with_a_national_row_every_state_runs(tmp_path):
    """A daily file by state and a national row (one state off by one on one day): every state
    and the whole give key figures, and growth_rate_recent equals plain pandas for a state,
    for all states together (the national row, not added twice) and for the national row."""
    path, _ = national_file(tmp_path, nudge=1, name="Malaysia", days=2600)  # 2018 to Feb 2025
    frame = quiet_load(path, "timeseries")
    raw = pd.read_csv(path, parse_dates=["date"])

    def recent(rows: pd.DataFrame) -> float:
        yearly = rows.groupby(rows["date"].dt.year)["donations"].sum()
        return (yearly[2024] / yearly[2019]) ** (1 / 5) - 1

    for region, rows in [("State 05", raw[raw["state"] == "State 05"]),
                         (None, raw[raw["state"] == "Malaysia"]),
                         ("Malaysia", raw[raw["state"] == "Malaysia"])]:
        sel = trends.select_region(frame, region)
        figs = trends.key_figures(trends.period_table(sel.series, "year"), sel)
        assert figs["growth_rate_recent"] == pytest.approx(recent(rows)), region
        assert figs["growth_from"] == "2018" and figs["growth_to"] == "2024"
        assert figs["total_donations"] == int(rows["donations"].sum())
    states = raw[raw["state"] != "Malaysia"]
    assert recent(states) == pytest.approx(recent(raw[raw["state"] == "Malaysia"]), abs=1e-6)
    for state in sorted(set(states["state"])):
        assert trends.select_region(frame, state).series["donations"].sum() > 0


def test_a_year_mapped_as_a_date_says_how_to_map_it(tmp_path):
    """Before: "'2017' is not a date", and no hint that a year column can be the date."""
    path = write(tmp_path, "year,donations\n2017,5\n2018,6\n")
    with pytest.raises(InputError, match=r"2:year: '2017' is a year, not a date, .*\[\"year\"\]\}"):
        load(path, "timeseries", {"date": "year"})
    frame = quiet_load(path, "timeseries", {"date": ["year"]})
    assert frame.attrs["grains"] == {"date": "year"} and periods.grain(frame) == "year"


def test_any_date_column_may_be_made_of_parts(tmp_path):
    path = write(tmp_path, "Năm,Tháng,Ngày,Điểm hiến máu,Số đơn vị máu\n"
                           "2023,8,4,Site A,100\n2023,8,5,Site B,90\n")
    frame = quiet_load(path, "sessions", {"session_date": ["Năm", "Tháng", "Ngày"]}, campaigns=None)
    assert frame["session_date"].tolist() == [pd.Timestamp(2023, 8, 4), pd.Timestamp(2023, 8, 5)]
    assert frame.attrs["grains"] == {"session_date": "day"}


def test_exclude_regions_is_checked_before_the_run(tmp_path):
    from analysis.errors import DataError
    from analysis.reports.trends import inputs as trend_inputs

    path, _ = national_file(tmp_path, name="Region X", days=30)
    with pytest.raises(DataError, match="exclude_regions names 'Atlantis', not in the file"):
        trend_inputs.read({"timeseries_path": str(path), "exclude_regions": ["Atlantis"]})
    assert len(trend_inputs.read({"timeseries_path": str(path), "exclude_regions": ["State 01"]})["series"])
