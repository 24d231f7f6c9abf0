"""Files as analysts keep them: a date in parts or at its grain, columns left out, notes
under the table, breakdowns recognised or declared, regions and their total row.

Each test writes a small file into tmp_path and loads it as a user would.
"""

from __future__ import annotations

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
