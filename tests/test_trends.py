"""trends: each key figure against an independent computation in plain pandas.

The hand-made series runs from 15 March 2019 to 10 August 2023 (first and last
month, quarter and year incomplete), for two regions and a "Toàn quốc" region
that holds their sum, with a new/repeat breakdown.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.inputs import published
from analysis.reports.trends import charts
from analysis.reports.trends import compute as trends
from analysis.reports.trends import inputs as trend_inputs

START, END = "2019-03-15", "2023-08-10"
CONTRACT = ("period_start", "period_end", "total_donations", "periods", "growth_rate",
            "peak_period", "trough_period", "seasonal_amplitude")


def regional() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    dates = pd.date_range(START, END, freq="D")
    rows = []
    for name, lo, hi in (("Bắc", 20, 60), ("Nam", 5, 30)):
        donations = rng.integers(lo, hi, len(dates))
        donations = donations * np.where(dates.month == 2, 1, 2)  # a February dip
        new = rng.binomial(donations, 0.4)
        rows.append(pd.DataFrame({"date": dates, "region": name, "donations": donations,
                                  "new_donors": new, "repeat_donors": donations - new}))
    parts = pd.concat(rows, ignore_index=True)
    total = parts.groupby("date", as_index=False)[["donations", "new_donors", "repeat_donors"]].sum()
    total["region"] = "Toàn quốc"
    return pd.concat([parts, total[parts.columns]], ignore_index=True)


@pytest.fixture(scope="module")
def frame():
    return regional()


@pytest.fixture(scope="module")
def total(frame):
    """The national series by hand: the two regions added up per date."""
    parts = frame[frame["region"] != "Toàn quốc"]
    return parts.groupby("date")["donations"].sum()


# -------------------------------------------------------------------- regions


def test_total_region_is_found_and_used(frame, total):
    sel = trends.select_region(frame, None)
    assert sel.total_region == "Toàn quốc"
    assert sel.regions == ["Bắc", "Nam"]
    assert sel.series.set_index("date")["donations"].astype(int).equals(total.astype(int))


def test_without_total_row_regions_are_summed(frame, total):
    parts = frame[frame["region"] != "Toàn quốc"]
    sel = trends.select_region(parts, None)
    assert sel.total_region is None
    assert sel.series.set_index("date")["donations"].astype(int).equals(total.astype(int))


def test_one_region_and_unknown_region(frame):
    sel = trends.select_region(frame, "Nam")
    expected = frame.loc[frame["region"] == "Nam"].set_index("date")["donations"]
    assert sel.series.set_index("date")["donations"].astype(int).equals(expected.astype(int))
    with pytest.raises(ValueError, match="not in the file; known: Bắc, Nam, Toàn quốc"):
        trends.select_region(frame, "Trung")


def test_two_regions_that_happen_to_be_equal_are_not_a_total():
    dates = pd.date_range("2020-01-01", periods=3)
    f = pd.DataFrame({"date": list(dates) * 2, "region": ["A"] * 3 + ["B"] * 3, "donations": [5] * 6})
    assert trends.detect_total_region(f) is None


# -------------------------------------------------------------------- periods and figures


def test_by_month_marks_incomplete_ends(frame, total):
    table = trends.by_period(trends.select_region(frame).series, "month")
    by_hand = total.groupby(total.index.to_period("M")).sum()
    assert table["period"].tolist() == [str(p) for p in by_hand.index]
    assert table["donations"].astype(int).tolist() == by_hand.astype(int).tolist()
    status = table.set_index("period")["status"]
    assert status["2019-03"] == "partial" and status["2023-08"] == "partial"
    assert (status.drop(["2019-03", "2023-08"]) == "complete").all()


def test_moving_average_and_year_on_year(frame, total):
    table = trends.by_period(trends.select_region(frame).series, "month").set_index("period")
    by_hand = total.groupby(total.index.to_period("M")).sum().astype(float)
    by_hand.iloc[[0, -1]] = np.nan  # incomplete months are left out
    ma = by_hand.rolling(12, min_periods=12).mean()
    got = table["moving_average"].astype(float)
    assert np.allclose(got.to_numpy(), ma.to_numpy(), equal_nan=True)
    assert table.loc["2021-05", "yoy_change"] == pytest.approx(
        by_hand[pd.Period("2021-05")] / by_hand[pd.Period("2020-05")] - 1)
    assert pd.isna(table.loc["2020-03", "yoy_change"])  # a year earlier is incomplete


def test_key_figures_by_hand(frame, total):
    sel = trends.select_region(frame)
    table = trends.by_period(sel.series, "month")
    figs = trends.key_figures(table, sel)
    months = total.groupby(total.index.to_period("M")).sum()
    complete = months.iloc[1:-1]
    years = total.groupby(total.index.year).sum()
    assert figs["period_start"] == "2019-03" and figs["period_end"] == "2023-08"
    assert figs["total_donations"] == int(total.sum())
    assert figs["periods"] == len(months) == 54
    assert figs["partial_periods"] == 2
    # complete calendar years: 2020, 2021, 2022
    assert figs["growth_rate"] == pytest.approx((years[2022] / years[2020]) ** (1 / 2) - 1)
    assert (figs["growth_from"], figs["growth_to"]) == ("2020", "2022")
    assert figs["peak_period"] == str(complete.idxmax())
    assert figs["trough_period"] == str(complete.idxmin())
    by_month = complete.groupby(complete.index.month).mean()
    assert figs["seasonal_amplitude"] == pytest.approx(
        (by_month.max() - by_month.min()) / by_month.mean())
    assert figs["seasonal_trough"] == 2
    assert figs["total_region"] == "Toàn quốc"


def test_growth_does_not_depend_on_the_period(frame):
    sel = trends.select_region(frame)
    rates = {p: trends.key_figures(trends.by_period(sel.series, p), sel)["growth_rate"]
             for p in ("day", "week", "quarter", "year")}
    assert len({round(r, 12) for r in rates.values()}) == 1


def test_year_period_leaves_incomplete_years_out(frame, total):
    sel = trends.select_region(frame)
    figs = trends.key_figures(trends.by_period(sel.series, "year"), sel)
    years = total.groupby(total.index.year).sum().loc[2020:2022]
    assert (figs["periods"], figs["partial_periods"]) == (5, 2)
    assert figs["peak_period"] == str(years.idxmax())
    assert figs["trough_period"] == str(years.idxmin())


def test_weeks_are_iso_weeks(frame, total):
    table = trends.by_period(trends.select_region(frame).series, "week")
    iso = total.index.isocalendar()
    by_hand = total.groupby([iso["year"], iso["week"]]).sum()
    assert table["period"].tolist() == [f"{y}-W{w:02d}" for y, w in by_hand.index]
    assert table["donations"].astype(int).tolist() == by_hand.astype(int).tolist()
    # 15 March 2019 is a Friday and 10 August 2023 a Thursday: both weeks incomplete
    assert table["status"].iloc[0] == table["status"].iloc[-1] == "partial"


def test_ties_go_to_the_earliest_period():
    values = [10, 30, 5, 30, 5, 20]
    series = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=6, freq="MS"), "donations": values})
    sel = trends.Selection(series, None, None)
    figs = trends.key_figures(trends.by_period(series, "month"), sel)
    assert (figs["peak_period"], figs["trough_period"]) == ("2020-02", "2020-03")
    assert figs["growth_rate"] is None  # no complete calendar year
    assert figs["seasonal_amplitude"] is None  # six months only


def test_missing_months_are_gaps_not_zeros():
    series = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2020-03-01", "2020-04-01"]),
                           "donations": [10, 30, 20]})
    table = trends.by_period(series, "month")
    assert table["status"].tolist() == ["complete", "missing", "complete", "complete"]
    assert pd.isna(table["donations"].iloc[1])
    figs = trends.key_figures(table, trends.Selection(series, None, None))
    assert figs["trough_period"] == "2020-01" and figs["periods_with_data"] == 3


def test_seasonality_needs_two_years_of_months(frame):
    short = frame[(frame["region"] == "Toàn quốc") & (frame["date"] < "2020-12-01")]
    assert trends.seasonal_profile(trends.by_date(short)) is None
    assert trends.decompose(trends.by_date(short)) is None
    assert trends.decompose(trends.select_region(frame).series) is not None


def test_period_finer_than_the_data_is_refused():
    yearly = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2021-01-01"]), "donations": [1, 2]})
    assert trends.native_grain(yearly["date"]) == "year"
    with pytest.raises(ValueError, match="finer than the data"):
        trends.by_period(yearly, "month")
    with pytest.raises(ValueError, match="period must be one of"):
        trends.by_period(yearly, "decade")


def test_breakdown_shares(frame, total):
    sel = trends.select_region(frame)
    shares = trends.breakdown_shares(sel.series, "day")  # shown per month
    new = frame[frame["region"] != "Toàn quốc"].groupby("date")["new_donors"].sum()
    month = pd.Period("2021-06")
    expected = new[new.index.to_period("M") == month].sum() / total[total.index.to_period("M") == month].sum()
    row = shares[(shares["period"] == "2021-06") & (shares["breakdown"] == "new_donors")]
    assert row["share"].iloc[0] == pytest.approx(expected)
    assert "2019-03" not in set(shares["period"])  # incomplete month left out


# -------------------------------------------------------------------- the published default


def test_published_national_series():
    raw = trend_inputs.read_series("data/published/national.csv")
    nat = published.national()
    units = nat[(nat["scope"] == "national") & (nat["measure"] == "units")].sort_values("year")
    assert raw["qualifier"].tolist() == units["qualifier"].tolist()
    sel = trends.select_region(raw)
    table = trends.by_period(sel.series, "year")
    figs = trends.key_figures(table, sel)
    first, last = units.iloc[0], units.iloc[-1]
    assert figs["growth_rate"] == pytest.approx(
        (last["value"] / first["value"]) ** (1 / (last["year"] - first["year"])) - 1)
    assert figs["growth_qualifier"] == "about"  # at least ÷ about
    assert figs["total_donations"] == int(units["value"].sum())
    assert (figs["period_start"], figs["period_end"]) == ("2013", "2024")
    assert figs["periods"] == 12 and figs["periods_with_data"] == len(units)
    assert figs["peak_period"] == str(units.loc[units["value"].idxmax(), "year"])
    assert figs["trough_period"] == str(units.loc[units["value"].idxmin(), "year"])
    assert figs["seasonal_amplitude"] is None
    missing = table.loc[table["status"] == "missing", "period"].astype(int)
    assert set(missing) == set(range(2013, 2025)) - set(units["year"])
    assert not trends.sources(raw).empty


def test_a_timeseries_file_through_the_loader(tmp_path, frame):
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    raw = trend_inputs.read_series(path)
    assert raw.attrs["measure"] == "donations"
    assert trends.select_region(raw).total_region == "Toàn quốc"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_story_and_charts_render(frame, lang):
    sel = trends.select_region(frame)
    table = trends.by_period(sel.series, "month")
    figs = trends.key_figures(table, sel)
    text = trends.story(figs, table, sel, "month", lang)
    assert "Toàn quốc" in text["overview"]
    shown = trends.shown(table, "month", lang)
    assert len(shown) == len(table)
    for fig in (charts.series_chart(table, figs, "month", lang),
                charts.annual_change_chart(trends.annual_changes(sel.series), figs["growth_rate"], lang),
                charts.seasonal_chart(trends.seasonal_profile(sel.series), lang),
                charts.regions_chart(trends.by_region(frame, sel, "month"), "month", lang)):
        assert fig.axes
        charts.plt.close(fig)


def test_notebook_on_defaults(run_notebook):
    metrics = run_notebook("trends")["metrics"]
    assert set(CONTRACT) <= set(metrics)
    assert metrics["period_start"] == "2013" and metrics["period_end"] == "2024"
    assert metrics["seasonal_amplitude"] is None
    assert math.isclose(metrics["growth_rate"], (1.7 / 1.0) ** (1 / 11) - 1)
