"""trends: each key figure, table and chart against an independent computation in plain pandas.

Two hand-made daily series:
- `regional`: 15 March 2019 to 10 August 2023 (first and last month, quarter
  and year incomplete), two regions and a "Toàn quốc" region that holds their
  sum, with a new/repeat breakdown.
- `simulated`: 15 March 2012 to 10 July 2024, three regions ("Bắc" rises to
  2017 and falls after, "Nam" grows, "Trung" reports zeros until 10 April
  2016) and their total row, long enough for growth_rate_recent.
"""

from __future__ import annotations

import calendar
import re
import warnings

import matplotlib
import matplotlib.dates
import numpy as np
import pandas as pd
import pytest

from analysis.inputs import published
from analysis.reports.trends import charts, context, growth, periods, regions, shown
from analysis.reports.trends import compute as trends
from analysis.reports.trends import inputs as trend_inputs
from analysis.text import i18n, render

START, END = "2019-03-15", "2023-08-10"
CONTRACT = ("period_start", "period_end", "total_donations", "periods", "growth_rate",
            "growth_rate_recent", "peak_period", "trough_period", "seasonal_amplitude")
LANGS = ("vi", "en")


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
    return _with_total(pd.concat(rows, ignore_index=True))


def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2012-03-15", "2024-07-10", freq="D")
    years = (dates - dates[0]).days.to_numpy() / 365.25
    season = np.where(dates.month == 2, 0.6, 1.0)
    shapes = {"Bắc": 40 * np.exp(0.12 * np.minimum(years, 5) - 0.08 * np.maximum(years - 5, 0)),
              "Nam": 25 * np.exp(0.05 * years), "Trung": 15 * np.exp(0.03 * years)}
    rows = []
    for name, level in shapes.items():
        donations = rng.poisson(level * season)
        if name == "Trung":
            donations[dates < "2016-04-10"] = 0  # not reporting yet
        donations[(dates == "2016-04-10") & (name == "Trung")] = 9
        new = rng.binomial(donations, 0.35)
        rows.append(pd.DataFrame({"date": dates, "region": name, "donations": donations,
                                  "new_donors": new, "repeat_donors": donations - new}))
    return _with_total(pd.concat(rows, ignore_index=True))


def _with_total(parts: pd.DataFrame) -> pd.DataFrame:
    total = parts.groupby("date", as_index=False)[["donations", "new_donors", "repeat_donors"]].sum()
    total["region"] = "Toàn quốc"
    return pd.concat([parts, total[parts.columns]], ignore_index=True)


@pytest.fixture(scope="module")
def frame():
    return regional()


@pytest.fixture(scope="module")
def sim():
    return simulated()


@pytest.fixture(scope="module")
def total(frame):
    """The national series by hand: the two regions added up per date."""
    parts = frame[frame["region"] != "Toàn quốc"]
    return parts.groupby("date")["donations"].sum()


def by_hand(frame: pd.DataFrame, region: str | None = None) -> pd.Series:
    """One region's daily series (or the regions other than the total added up), from its
    first value above 0."""
    rows = frame[frame["region"] == region] if region else frame[frame["region"] != "Toàn quốc"]
    daily = rows.groupby("date")["donations"].sum()
    return daily[daily.index >= daily[daily > 0].index[0]]


def recent_by_hand(daily: pd.Series) -> float | None:
    """growth_rate_recent from its definition: the last complete calendar year against the fifth
    year before it, compound per year."""
    first, last = daily.index.min(), daily.index.max()
    years = daily.groupby(daily.index.year).sum()
    complete = [y for y in years.index if pd.Timestamp(y, 1, 1) >= first and pd.Timestamp(y, 12, 31) <= last]
    y = max(complete)
    return (years[y] / years[y - 5]) ** (1 / 5) - 1 if y - 5 in complete else None


def figures_of(series_frame: pd.DataFrame, region: str | None, period: str):
    sel = trends.select_region(series_frame, region)
    table = trends.period_table(sel.series, period)
    return sel, table, trends.key_figures(table, sel)


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
    assert regions.detect_total_region(f) is None


def test_a_region_starts_at_its_first_value_above_zero(sim):
    """Trung reports zeros until 10 April 2016: its series, periods and growth start there,
    with no ZeroDivisionError, and the region table says it starts late."""
    sel, table, figs = figures_of(sim, "Trung", "month")
    daily = by_hand(sim, "Trung")
    assert sel.start == pd.Timestamp("2016-04-10") == daily.index[0]
    assert sel.file_start == pd.Timestamp("2012-03-15")
    assert figs["period_start"] == "2016-04" and table.frame["status"].iloc[0] == "partial"
    assert figs["total_donations"] == int(daily.sum())
    assert (figs["growth_from"], figs["growth_to"]) == ("2017", "2023")
    years = daily.groupby(daily.index.year).sum()
    assert figs["growth_rate"] == pytest.approx((years[2023] / years[2017]) ** (1 / 6) - 1)
    starts = trends.starts_table(sim, trends.select_region(sim)).frame.set_index("region")
    assert starts.loc["Trung", "first_date"] == pd.Timestamp("2016-04-10") and starts.loc["Trung", "late"]
    assert not starts.loc[["Bắc", "Nam"], "late"].any()
    ctx = context.regions(trends.select_region(sim), trends.starts_table(sim, trends.select_region(sim)),
                          "month", "day", "en")
    assert ctx["late"] == [{"region": "Trung", "start": "10 Apr 2016"}] and ctx["drawn"]


def test_region_panels_start_at_each_first_report(sim):
    sel = trends.select_region(sim)
    stacked = trends.regions_table(sim, sel, "day").frame  # panels are at least monthly
    trung = stacked[stacked["region"] == "Trung"]
    daily = by_hand(sim, "Trung")
    assert trung["period"].iloc[0] == "2016-04" and trung["status"].iloc[0] == "partial"
    assert trung["donations"].astype(int).sum() == int(daily.sum())
    assert set(stacked["region"]) == {"Bắc", "Nam", "Trung"}  # the total row is no panel


def test_a_region_that_never_reports_is_said_not_drawn(sim):
    quiet = sim[sim["region"] != "Toàn quốc"].copy()
    quiet.loc[quiet["region"] == "Nam", "donations"] = 0
    quiet.loc[quiet["region"] == "Nam", ["new_donors", "repeat_donors"]] = 0
    sel = trends.select_region(quiet)
    assert "Nam" not in set(trends.regions_table(quiet, sel, "month").frame["region"])
    ctx = context.regions(sel, trends.starts_table(quiet, sel), "month", "day", "en")
    assert ctx["never"] == ["Nam"] and ctx["drawn"]
    with pytest.raises(ValueError, match="no value above 0"):
        trends.select_region(quiet, "Nam")


# -------------------------------------------------------------------- periods and figures


def test_by_month_marks_incomplete_ends(frame, total):
    table = periods.by_period(trends.select_region(frame).series, "month")
    months = total.groupby(total.index.to_period("M")).sum()
    assert table["period"].tolist() == [str(p) for p in months.index]
    assert table["donations"].astype(int).tolist() == months.astype(int).tolist()
    status = table.set_index("period")["status"]
    assert status["2019-03"] == "partial" and status["2023-08"] == "partial"
    assert (status.drop(["2019-03", "2023-08"]) == "complete").all()


def test_moving_average_and_year_on_year(frame, total):
    table = periods.by_period(trends.select_region(frame).series, "month").set_index("period")
    months = total.groupby(total.index.to_period("M")).sum().astype(float)
    months.iloc[[0, -1]] = np.nan  # incomplete months are left out
    ma = months.rolling(12, min_periods=12).mean()
    got = table["moving_average"].astype(float)
    assert np.allclose(got.to_numpy(), ma.to_numpy(), equal_nan=True)
    assert table.loc["2021-05", "yoy_change"] == pytest.approx(
        months[pd.Period("2021-05")] / months[pd.Period("2020-05")] - 1)
    assert pd.isna(table.loc["2020-03", "yoy_change"])  # a year earlier is incomplete


def test_key_figures_by_hand(frame, total):
    _, _, figs = figures_of(frame, None, "month")
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
    assert figs["growth_rate_recent"] is None  # 2017 is not in the series
    assert figs["peak_period"] == str(complete.idxmax())
    assert figs["trough_period"] == str(complete.idxmin())
    by_month = complete.groupby(complete.index.month).mean()
    assert figs["seasonal_amplitude"] == pytest.approx(
        (by_month.max() - by_month.min()) / by_month.mean())
    assert figs["seasonal_trough"] == 2
    assert figs["total_region"] == "Toàn quốc"


@pytest.mark.parametrize("region", ["Bắc", "Trung", None, "Toàn quốc"])
def test_growth_rate_recent_by_hand(sim, region):
    """For a state, a late-reporting state, all states together and the national row."""
    _, _, figs = figures_of(sim, region, "month")
    expected = recent_by_hand(by_hand(sim, None if region == "Toàn quốc" else region))
    assert expected is not None
    assert figs["growth_rate_recent"] == pytest.approx(expected)


def test_recent_growth_needs_the_fifth_year_before(sim):
    short = sim[sim["date"] >= "2019-06-01"]  # complete years 2020..2023: 2018 is not in it
    _, _, figs = figures_of(short, None, "year")
    assert figs["growth_rate"] is not None and figs["growth_rate_recent"] is None
    assert recent_by_hand(by_hand(short)) is None


def test_growth_does_not_depend_on_the_period(frame):
    sel = trends.select_region(frame)
    rates = {p: trends.key_figures(trends.period_table(sel.series, p), sel)["growth_rate"]
             for p in ("day", "week", "quarter", "year")}
    assert len({round(r, 12) for r in rates.values()}) == 1


def test_year_period_leaves_incomplete_years_out(frame, total):
    _, _, figs = figures_of(frame, None, "year")
    years = total.groupby(total.index.year).sum().loc[2020:2022]
    assert (figs["periods"], figs["partial_periods"]) == (5, 2)
    assert figs["peak_period"] == str(years.idxmax())
    assert figs["trough_period"] == str(years.idxmin())


def test_weeks_are_iso_weeks(frame, total):
    table = periods.by_period(trends.select_region(frame).series, "week")
    iso = total.index.isocalendar()
    weeks = total.groupby([iso["year"], iso["week"]]).sum()
    assert table["period"].tolist() == [f"{y}-W{w:02d}" for y, w in weeks.index]
    assert table["donations"].astype(int).tolist() == weeks.astype(int).tolist()
    # 15 March 2019 is a Friday and 10 August 2023 a Thursday: both weeks incomplete
    assert table["status"].iloc[0] == table["status"].iloc[-1] == "partial"


def test_ties_go_to_the_earliest_period():
    values = [10, 30, 5, 30, 5, 20]
    series = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=6, freq="MS"), "donations": values})
    sel = regions.Selection(series, None, None)
    figs = trends.key_figures(trends.period_table(series, "month"), sel)
    assert (figs["peak_period"], figs["trough_period"]) == ("2020-02", "2020-03")
    assert figs["growth_rate"] is None and figs["growth_rate_recent"] is None  # no complete year
    assert figs["seasonal_amplitude"] is None  # six months only


def test_missing_months_are_gaps_not_zeros():
    series = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2020-03-01", "2020-04-01"]),
                           "donations": [10, 30, 20]})
    table = trends.period_table(series, "month")
    assert table.frame["status"].tolist() == ["complete", "missing", "complete", "complete"]
    assert pd.isna(table.frame["donations"].iloc[1])
    figs = trends.key_figures(table, regions.Selection(series, None, None))
    assert figs["trough_period"] == "2020-01" and figs["periods_with_data"] == 3


def test_seasonality_needs_two_years_of_months(frame):
    short = frame[(frame["region"] == "Toàn quốc") & (frame["date"] < "2020-12-01")]
    assert growth.seasonal_profile(regions.by_date(short)) is None
    assert growth.decompose(regions.by_date(short)) is None
    assert trends.season_table(regions.by_date(short)).empty
    parts = trends.decomposition_table(trends.select_region(frame).series).frame
    assert np.allclose(parts["observed"], parts["trend"] + parts["seasonal"] + parts["resid"])


def test_period_finer_than_the_data_is_refused():
    yearly = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2021-01-01"]), "donations": [1, 2]})
    assert periods.native_grain(yearly["date"]) == "year"
    with pytest.raises(ValueError, match="finer than the data"):
        periods.by_period(yearly, "month")
    with pytest.raises(ValueError, match="period must be one of"):
        periods.by_period(yearly, "decade")


def test_breakdown_shares(frame, total):
    sel = trends.select_region(frame)
    shares = trends.shares_table(sel.series, "day").frame  # shown per month
    new = frame[frame["region"] != "Toàn quốc"].groupby("date")["new_donors"].sum()
    month = pd.Period("2021-06")
    expected = new[new.index.to_period("M") == month].sum() / total[total.index.to_period("M") == month].sum()
    row = shares[(shares["period"] == "2021-06") & (shares["breakdown"] == "new_donors")]
    assert row["share"].iloc[0] == pytest.approx(expected)
    assert "2019-03" not in set(shares["period"])  # incomplete month left out


def test_zeros_give_no_warning_and_no_infinite_rate(sim):
    """A year of zeros inside a region's history: changes from it are empty, never infinite,
    and nothing from the compute, text or chart code warns."""
    gap = sim[sim["region"] == "Nam"].copy()
    gap.loc[gap["date"].dt.year == 2019, ["donations", "new_donors", "repeat_donors"]] = 0
    gap.loc[(gap["date"].dt.year == 2020) & (gap["date"].dt.month == 3), "donations"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sel, table, figs = figures_of(gap, "Nam", "month")
        changes = trends.change_table(sel.series)
        by_year = changes.frame.set_index("year")["annual_change"]
        assert by_year[2019] == pytest.approx(-1.0) and pd.isna(by_year[2020])
        assert pd.isna(table.frame.set_index("period").loc["2020-03", "yoy_change"])
        assert not np.isinf(table.frame["yoy_change"].astype(float)).any()
        trends.shares_table(sel.series, "month")
        trends.decomposition_table(sel.series)
        for section, ctx in _contexts(gap, "Nam").items():
            render.render("trends", section, "en", **ctx)
        plt_close(charts.series_chart(table, figs, "month", "en", "donations"))
        plt_close(charts.annual_change_chart(changes, figs, "en"))


def plt_close(fig) -> None:
    matplotlib.pyplot.close(fig)


# -------------------------------------------------------------------- the published default


def test_published_national_series():
    raw = trend_inputs.read_series("data/published/national.csv")
    nat = published.national()
    units = nat[(nat["scope"] == "national") & (nat["measure"] == "units")].sort_values("year")
    assert raw["qualifier"].tolist() == units["qualifier"].tolist()
    sel, table, figs = figures_of(raw, None, "year")
    first, last = units.iloc[0], units.iloc[-1]
    assert figs["growth_rate"] == pytest.approx(
        (last["value"] / first["value"]) ** (1 / (last["year"] - first["year"])) - 1)
    assert figs["growth_qualifier"] == "about"  # at least ÷ about
    assert figs["growth_rate_recent"] is None  # no published figure for 2019
    assert figs["total_donations"] == int(units["value"].sum())
    assert (figs["period_start"], figs["period_end"]) == ("2013", "2024")
    assert figs["periods"] == 12 and figs["periods_with_data"] == len(units)
    assert figs["peak_period"] == str(units.loc[units["value"].idxmax(), "year"])
    assert figs["trough_period"] == str(units.loc[units["value"].idxmin(), "year"])
    assert figs["seasonal_amplitude"] is None
    missing = table.frame.loc[table.frame["status"] == "missing", "period"].astype(int)
    assert set(missing) == set(range(2013, 2025)) - set(units["year"])
    assert not trends.sources(raw).empty


def test_a_timeseries_file_through_the_loader(tmp_path, frame):
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    raw = trend_inputs.read_series(path)
    assert raw.attrs["measure"] == "donations"
    assert trends.select_region(raw).total_region == "Toàn quốc"


def test_the_measure_follows_the_data(tmp_path, frame):
    path = tmp_path / "series.csv"
    frame.rename(columns={"donations": "units_collected"}).to_csv(path, index=False, date_format="%Y-%m-%d")
    mapped = trend_inputs.read_series(path, {"donations": "units_collected"})
    assert context.measure(mapped, None, "en") == "units collected"
    assert context.measure(mapped, "Người hiến mới", "vi") == "Người hiến mới"
    plain = trend_inputs.read_series("data/published/national.csv")
    assert context.measure(plain, None, "vi") == "đơn vị máu"
    assert context.measure(plain, None, "en") == "units of blood"
    sel, table, figs = figures_of(frame, None, "month")
    fig = charts.series_chart(table, figs, "month", "en", "units collected")
    assert fig.axes[0].get_ylabel() == "Units collected"
    assert fig.axes[0].get_title() == "Units collected per month"
    plt_close(fig)
    title = render.render("trends", "title", "en", **context.title("units collected"))
    assert "Units collected over time" in title


# -------------------------------------------------------------------- tables for readers


def test_a_long_table_shows_head_and_tail(sim):
    sel, table, _ = figures_of(sim, None, "month")
    rows = shown.by_period(table, "month", "vi")
    n = len(table)
    assert rows.rows == n == 149 and rows.cut
    assert len(rows.frame) == 2 * shown.KEEP + 1
    assert rows.frame.iloc[0, 0] == "03/2012" and rows.frame.iloc[-1, 0] == "07/2024"
    assert (rows.frame.iloc[shown.KEEP] == "…").all()
    assert list(rows.frame.columns) == [i18n.t(k, "vi") for k in (
        "tr_col_period", "tr_col_donations", "tr_col_status", "tr_col_moving_average", "tr_col_yoy")]
    march = int(by_hand(sim)[: "2012-03-31"].sum())
    assert rows.frame.iloc[0, 1] == i18n.fmt_int(march, "vi")
    assert rows.frame.iloc[0, 2] == "chưa trọn"
    ctx = context.table_cut(rows)
    assert ctx == {"rows": 149, "head": shown.KEEP, "tail": shown.KEEP, "path": "tables/by_period.csv"}
    short = shown.by_period(trends.period_table(sel.series, "year"), "year", "en")
    assert not short.cut and len(short.frame) == short.rows == 13


# -------------------------------------------------------------------- contexts and templates


def _contexts(series_frame: pd.DataFrame, region: str | None = None, period: str = "month",
              lang: str = "en") -> dict[str, dict]:
    sel, table, figs = figures_of(series_frame, region, period)
    changes = trends.change_table(sel.series)
    out = {
        "title": context.title("donations"),
        "key_findings": context.key_findings(figs, table, changes, "donations", period, lang),
        "overview": context.overview(figs, table, sel, "donations", period, lang),
        "growth": context.growth(figs, table, changes, "donations", period, lang),
        "season": context.season(figs, lang),
        "table_cut": context.table_cut(shown.by_period(table, period, lang)),
        "key_figures": {},
    }
    shares = trends.shares_table(sel.series, period)
    if len(shares):
        out["breakdown"] = context.breakdown(shares)
    if sel.regions:
        out["regions"] = context.regions(sel, trends.starts_table(series_frame, sel), period,
                                         figs["data_grain"], lang)
    return out


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_every_template_is_rendered_here():
    rendered = {"title", "key_findings", "overview", "growth", "season", "breakdown", "regions",
                "table_cut", "key_figures"}
    for lang in LANGS:
        assert set(render.sections("trends", lang)) == rendered | {"macros"}


def test_key_findings_lead_with_the_recent_rate_when_they_disagree(sim):
    ctx = _contexts(sim)["key_findings"]
    daily = by_hand(sim)
    years = daily.groupby(daily.index.year).sum()
    assert ctx["lead_recent"] and ctx["recent"] < 0 < ctx["rate"]
    assert ctx["recent"] == pytest.approx((years[2023] / years[2018]) ** (1 / 5) - 1)
    assert (ctx["rate_from"], ctx["rate_to"]) == ("2013", "2023")
    assert (ctx["recent_from"], ctx["recent_to"]) == (2018, 2023)
    assert ctx["partial"] == {"items": ["Mar 2012", "Jul 2024"], "more": 0, "n": 2}
    assert ctx["total"].value == int(daily.sum())
    text = {lang: _text(render.render("trends", "key_findings", lang,
                                      **_contexts(sim, lang=lang)["key_findings"])) for lang in LANGS}
    recent = abs(ctx["recent"])
    en = text["en"]
    assert en.index("last five complete years") < en.index("whole span")
    assert f"fell by {i18n.fmt_pct(recent, 'en')} a year" in en
    assert f"grew by {i18n.fmt_pct(ctx['rate'], 'en')} a year" in en
    assert "Mar 2012 and Jul 2024 are partial" in en
    months = daily.groupby(daily.index.to_period("M")).sum().iloc[1:-1]
    means = months.groupby(months.index.month).mean()
    busiest, quietest = calendar.month_name[means.idxmax()], calendar.month_name[means.idxmin()]
    assert i18n.fmt_int(int(daily.sum()), "en") in en
    assert f"On average the busiest month is {busiest}, the quietest {quietest}." in en
    vi = text["vi"]
    assert vi.index("5 năm trọn gần nhất") < vi.index("cả giai đoạn")
    assert f"giảm {i18n.fmt_pct(recent, 'vi')} mỗi năm" in vi and i18n.fmt_int(int(daily.sum()), "vi") in vi
    for lang in LANGS:
        items = re.findall(r"<li>", render.render("trends", "key_findings", lang,
                                                  **_contexts(sim, lang=lang)["key_findings"]))
        assert 3 <= len(items) <= 6


def test_key_findings_when_the_rates_agree_or_are_missing():
    raw = trend_inputs.read_series("data/published/national.csv")
    ctx = _contexts(raw, period="year")["key_findings"]
    assert ctx["recent"] is None and not ctx["lead_recent"]
    assert ctx["peak_value"].qualifier == "at_least" and ctx["trough_value"].qualifier == "about"
    en = _text(render.render("trends", "key_findings", "en", **ctx))
    assert "grew by about 4.9% a year from 2013 to 2024." in en
    assert "in the 6 of the 12 years that have a figure" in en
    assert "The highest year was 2024 (at least 1,700,000), the lowest 2013 (about 1,000,000)." in en
    sel, table, figs = figures_of(raw, None, "year")
    close = {**figs, "growth_rate_recent": figs["growth_rate"] + 0.005}  # half a point apart: they agree
    agree = context.key_findings(close, table, trends.change_table(sel.series), "donations", "year", "en")
    assert not agree["lead_recent"]
    steady = {**ctx, "recent": agree["recent"], "recent_q": "exact", "recent_from": 2019, "recent_to": 2024}
    en = _text(render.render("trends", "key_findings", "en", **steady))
    assert "Donations grew by about 4.9% a year from 2013 to 2024, and grew by 5.4% a year" in en


def test_overview_says_what_the_region_choice_did(sim):
    total = _contexts(sim)["overview"]
    assert (total["scope"], total["total_region"], total["regions"]) == ("total", "Toàn quốc", 3)
    assert "the other 3 regions" in _text(render.render("trends", "overview", "en", **total))
    late = _contexts(sim, "Trung")["overview"]
    assert (late["scope"], late["region_start"]) == ("region", "10 Apr 2016")
    assert "it reports from 10 Apr 2016" in _text(render.render("trends", "overview", "en", **late))
    vi = _contexts(sim, "Trung", lang="vi")["overview"]
    assert "báo cáo từ 10/04/2016" in _text(render.render("trends", "overview", "vi", **vi))
    one = sim[sim["region"] == "Nam"]
    single = _contexts(one)["overview"]
    assert (single["scope"], single["regions"], single["only_region"]) == ("sum", 1, "Nam")
    en = _text(render.render("trends", "overview", "en", **single))
    assert "The file holds one region, Nam." in en and "1 regions" not in en
    two = _contexts(sim[sim["region"].isin(["Bắc", "Nam"])])["overview"]
    two_text = _text(render.render("trends", "overview", "en", **two))
    assert "The 2 regions of the file added together." in two_text


def test_overview_names_missing_and_partial_periods():
    raw = trend_inputs.read_series("data/published/national.csv")
    for lang, says in (("en", "6 years have no figure: 2014, 2016, 2017, 2019, 2020 and 2022"),
                       ("vi", "6 năm không có số liệu: 2014, 2016, 2017, 2019, 2020 và 2022")):
        ctx = _contexts(raw, period="year", lang=lang)["overview"]
        assert ctx["missing"]["n"] == 6 and ctx["qualified"] and ctx["scope"] == "none"
        assert says in _text(render.render("trends", "overview", lang, **ctx))


def test_growth_without_two_complete_years_draws_no_chart(frame):
    short = frame[frame["date"] < "2020-06-01"]
    ctx = _contexts(short)["growth"]
    assert ctx["rate"] is None and not ctx["has_changes"] and ctx["complete_years"] == 0
    assert "no chart of the yearly change" in _text(render.render("trends", "growth", "en", **ctx))
    assert "không vẽ biểu đồ" in _text(render.render("trends", "growth", "vi", **ctx))
    with pytest.raises(ValueError, match="no yearly change"):
        charts.annual_change_chart(trends.change_table(trends.select_region(short).series), {}, "en")


def test_growth_says_why_there_is_no_recent_rate():
    raw = trend_inputs.read_series("data/published/national.csv")
    ctx = _contexts(raw, period="year")["growth"]
    assert ctx["has_changes"] and (ctx["recent_from"], ctx["recent_to"]) == (2019, 2024)
    en = _text(render.render("trends", "growth", "en", **ctx))
    assert "2019, five years before 2024, is not a complete year with a figure" in en


def test_season_and_breakdown_and_regions_render(sim, frame):
    ctx = _contexts(sim)
    daily = by_hand(sim)
    months = daily.groupby(daily.index.to_period("M")).sum().iloc[1:-1]
    means = months.groupby(months.index.month).mean()
    assert ctx["season"]["season_peak"] == calendar.month_name[means.idxmax()]
    assert ctx["season"]["season_trough"] == calendar.month_name[means.idxmin()] == "February"
    assert ctx["breakdown"]["parts"] == ["New donors", "Repeat donors"]
    vi = _contexts(sim, lang="vi")
    assert vi["season"]["season_peak"] == f"tháng {means.idxmax()}"
    for lang, c in (("en", ctx), ("vi", vi)):
        season = _text(render.render("trends", "season", lang, **c["season"]))
        assert i18n.fmt_pct(c["season"]["amplitude"], lang) in season
        parts = _text(render.render("trends", "breakdown", lang, **c["breakdown"]))
        assert "New donors, Repeat donors" in parts
        regions_text = _text(render.render("trends", "regions", lang, **c["regions"]))
        assert "Trung" in regions_text and ("10 Apr 2016" if lang == "en" else "10/04/2016") in regions_text
    none = _contexts(frame[frame["date"] < "2020-06-01"])["season"]
    assert "no seasonal profile" in _text(render.render("trends", "season", "en", **none))
    one = _contexts(sim[sim["region"] == "Nam"])["regions"]
    assert one["only_region"] == "Nam" and not one["drawn"]
    assert "The file holds one region, Nam" in _text(render.render("trends", "regions", "en", **one))


@pytest.mark.parametrize("lang", LANGS)
def test_every_section_renders_without_code_or_reprs(sim, lang):
    for section, ctx in _contexts(sim, lang=lang).items():
        text = render.render("trends", section, lang, **ctx)
        assert text, section
        assert not re.search(r"\{|\}|None|nan|Qualified|\bTrue\b|\bFalse\b", _text(text)), (section, text)
    cut = _text(render.render("trends", "table_cut", lang, **_contexts(sim, lang=lang)["table_cut"]))
    assert "tables/by_period.csv" in cut and "149" in cut


# -------------------------------------------------------------------- charts


def test_charts_take_only_safe_tables(frame):
    sel, table, figs = figures_of(frame, None, "month")
    with pytest.raises(TypeError, match="disclosure.protect"):
        charts.series_chart(table.frame, figs, "month", "en", "donations")
    with pytest.raises(TypeError):
        charts.regions_chart(regions.by_region(frame, sel, "month"), "month", "en", "donations")


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_partial_periods_are_hollow_dashed_and_labelled(sim):
    sel, table, figs = figures_of(sim, None, "month")
    daily = by_hand(sim)
    july = float(daily["2024-07-01":].sum())  # 10 days of July 2024
    june = float(daily["2024-06-01":"2024-06-30"].sum())
    fig = charts.series_chart(table, figs, "month", "en", "donations")
    ax = fig.axes[0]
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    ends = {(float(ln.get_ydata()[0]), float(ln.get_ydata()[-1])) for ln in dashed}
    assert (june, july) in ends  # the last complete month joined to the partial one
    solid = ax.lines[0].get_ydata()
    assert np.isnan(solid[-1]) and solid[-2] == june  # the solid line stops at June
    hollow = [c for c in ax.collections if len(c.get_offsets()) and len(c.get_facecolor())
              and np.allclose(c.get_facecolor()[0][:3], 1.0)]  # white inside
    assert any(np.isclose(c.get_offsets()[:, 1], july).any() for c in hollow)
    assert sum(t.get_text() == "partial" for t in ax.texts) == 2
    renderer = _draw(fig)
    legend = ax.get_legend().get_window_extent(renderer)
    point = ax.transData.transform((matplotlib.dates.date2num(pd.Timestamp("2024-07-01")), july))
    assert not legend.contains(*point) and legend.y1 < ax.get_window_extent(renderer).y0  # under the axes
    plt_close(fig)


@pytest.mark.parametrize("source", ["published", "collapse"])
def test_peak_and_trough_labels_stay_inside_the_axes(sim, source):
    if source == "published":
        series_frame, period = trend_inputs.read_series("data/published/national.csv"), "year"
    else:  # one month near zero among months in the thousands
        series_frame, period = sim[sim["region"] == "Bắc"].copy(), "month"
        series_frame.loc[series_frame["date"].between("2020-05-01", "2020-05-31"), "donations"] = 1
    sel, table, figs = figures_of(series_frame, None, period)
    fig = charts.series_chart(table, figs, period, "vi", "donations")
    renderer = _draw(fig)
    ax = fig.axes[0]
    box = ax.get_window_extent(renderer)
    labels = [t for t in ax.texts if t.get_text().startswith(("Cao nhất", "Thấp nhất"))]
    assert len(labels) == 2
    for label in labels:
        extent = label.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, label.get_text()
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1, label.get_text()
    if source == "collapse":
        assert figs["trough_period"] == "2020-05"
    plt_close(fig)


def test_dates_on_a_short_panel_are_readable(sim):
    short = sim[(sim["date"] >= "2023-09-01") & (sim["region"] != "Toàn quốc")]
    sel = trends.select_region(short)
    table = trends.regions_table(short, sel, "day")
    fig = charts.regions_chart(table, "day", "en", "donations")
    _draw(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks)
    assert all(re.fullmatch(r"[A-Z][a-z]{2,3} 20\d\d", t) for t in ticks), ticks
    plt_close(fig)
    ticks, grain = charts.date_ticks(pd.Timestamp("2023-09-01"), pd.Timestamp("2024-06-01"))
    assert grain == "month" and ticks[0] == pd.Timestamp("2023-09-01")
    years, grain = charts.date_ticks(pd.Timestamp("2012-03-15"), pd.Timestamp("2024-07-10"))
    assert grain == "year" and years[0] == pd.Timestamp("2014-01-01")  # every second year


def test_every_chart_draws_and_says_what_it_shows(sim):
    sel, table, figs = figures_of(sim, None, "month")
    changes = trends.change_table(sel.series)
    season = context.season(figs, "en")
    regions_table = trends.regions_table(sim, sel, "month")
    shares = trends.shares_table(sel.series, "month")
    drawn = {
        "series": (charts.series_chart(table, figs, "month", "en", "donations"),
                   charts.series_alt(table, figs, "month", "en", "donations")),
        "annual_change": (charts.annual_change_chart(changes, figs, "en"),
                          charts.annual_change_alt(changes, figs, "en")),
        "season": (charts.seasonal_chart(trends.season_table(sel.series), "en"),
                   charts.seasonal_alt(season, "donations", "en")),
        "stl": (charts.stl_chart(trends.decomposition_table(sel.series), "month", "en"),
                charts.stl_alt("month", "en")),
        "shares": (charts.shares_chart(shares, "en"), charts.shares_alt(shares, "en")),
        "regions": (charts.regions_chart(regions_table, "month", "en", "donations"),
                    charts.regions_alt(regions_table, "month", "en", "donations")),
    }
    for fig, _ in drawn.values():
        assert fig.axes
        plt_close(fig)
    alt = {k: a for k, (_, a) in drawn.items()}
    assert alt["series"].startswith("Line chart of donations per month, from Mar 2012 to Jul 2024.")
    daily = by_hand(sim)
    complete = daily.groupby(daily.index.to_period("M")).sum().iloc[1:-1]
    peak, trough = (periods.display_label(p.start_time, "month", "en")
                    for p in (complete.idxmax(), complete.idxmin()))
    assert f"Highest: {peak}; lowest: {trough}" in alt["series"]
    assert "hollow points on a dashed line" in alt["series"]
    years = daily.groupby(daily.index.year).sum()
    rate = (years[2023] / years[2013]) ** (1 / 10) - 1
    assert f"from 2014 to 2023. The dashed line is the compound growth, {i18n.fmt_pct(rate, 'en')} a year" \
        in alt["annual_change"]
    means = complete.groupby(complete.index.month).mean()
    busiest, quietest = calendar.month_name[means.idxmax()], calendar.month_name[means.idxmin()]
    assert f"busiest {busiest}, quietest {quietest}" in alt["season"]
    assert "New donors, Repeat donors" in alt["shares"]
    assert "3 regions (Bắc, Nam, Trung)" in alt["regions"]


# -------------------------------------------------------------------- the notebook
