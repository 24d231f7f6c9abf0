# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["analyst-note"]
# **Trends** (analyst's note, hidden in the report). The default is the real published
# national series: `timeseries_path` points at `data/published/national.csv`, whose layout
# (year, scope, measure, value, qualifier, source_id) `inputs.read_series` recognises; it
# takes the national units, one figure per published year, qualifiers kept. Any other file
# is read as a timeseries (date, donations, optional region and breakdown columns); map its
# headers with `timeseries_columns`. Rules (incomplete periods, gaps, total rows, when a region
# starts reporting, growth, seasonality) are written once, in the docstrings of
# `analysis/reports/trends/` (`periods`, `regions`, `growth`). Every paragraph is a template
# in `analysis/text/templates/<lang>/trends/`, filled from `context`.

# %%
from typing import Optional, Union  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
timeseries_path: str = "data/published/national.csv"  # timeseries file, or the published national table
timeseries_columns: Optional[dict] = None  # {canonical_name: name_in_file}, or None
region: Optional[Union[str, int]] = None  # one region (a name, or a number), or None for all together
period: str = "year"  # the period of the totals; one of: day, week, month, quarter, year
measure_label: Optional[str] = None  # what the series counts, in the reader's words (None: from the data)
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.output.record import Recorder
from analysis.reports.trends import charts, context, shown
from analysis.reports.trends import compute as trends
from analysis.reports.trends import inputs as report_inputs

rec = Recorder("trends", globals())
raw = report_inputs.read(rec.params, rec.input)["series"]
what = context.measure(raw, measure_label, lang)
selection = trends.select_region(raw, region)
table = trends.period_table(selection.series, period)
changes = trends.change_table(selection.series)
figs = trends.key_figures(table, selection)
rec.metrics(figs)
sources = trends.sources(raw)
rec.say("title", **context.title(what))
rec.header()
rec.findings(**context.key_findings(figs, table, changes, what, period, lang))

# %% [markdown] tags=["analyst-note"]
# The series per period, with its moving average; partial periods are hollow points on a
# dashed line, missing ones crossed on the axis. A table of more than 25 periods shows its
# head and tail; the whole of it is in tables/by_period.csv.

# %%
rec.say("overview", **context.overview(figs, table, selection, what, period, lang))
rec.figure(charts.series_chart(table, figs, period, lang, what), "series",
           alt=charts.series_alt(table, figs, period, lang, what))
rec.table(table, "by_period", show=False)
rows = shown.by_period(table, period, lang)
rec.show(rows.frame)
if rows.cut:
    rec.say("table_cut", **context.table_cut(rows))

# %% [markdown] tags=["analyst-note"]
# Growth: the change between consecutive complete years (annualised across unpublished
# years), the compound rate over the whole span and over the last five complete years.

# %%
growth = context.growth(figs, table, changes, what, period, lang)
rec.say("growth", **growth)
rec.table(changes, "annual_change", show=False)
if growth["has_changes"]:
    rec.figure(charts.annual_change_chart(changes, figs, lang), "annual_change",
               alt=charts.annual_change_alt(changes, figs, lang))

# %% [markdown] tags=["analyst-note"]
# Seasonality, only with two years or more of monthly (or quarterly) data.

# %%
season = context.season(figs, lang)
rec.say("season", **season)
profile = trends.season_table(selection.series)
parts = trends.decomposition_table(selection.series)
if len(profile):
    rec.table(profile, "seasonal_profile", show=False)
    rec.figure(charts.seasonal_chart(profile, lang), "seasonal_profile",
               alt=charts.seasonal_alt(season, what, lang))
if len(parts):
    rec.figure(charts.stl_chart(parts, season["season_unit"], lang), "stl_decomposition",
               alt=charts.stl_alt(season["season_unit"], lang))

# %% [markdown] tags=["analyst-note"]
# Breakdown shares and regions, when the file has them. A region's panel starts at its
# first value above 0: before that it is not reporting.

# %%
shares = trends.shares_table(selection.series, period)
if len(shares):
    rec.say("breakdown", **context.breakdown(shares))
    rec.table(shares, "breakdown_shares", show=False)
    rec.figure(charts.shares_chart(shares, lang), "breakdown_shares", alt=charts.shares_alt(shares, lang))
if selection.regions and region is None:
    starts = trends.starts_table(raw, selection)
    by_region = context.regions(selection, starts, period, figs["data_grain"], lang)
    rec.say("regions", **by_region)
    rec.table(starts, "region_starts", show=False)
    if by_region["drawn"]:
        regions = trends.regions_table(raw, selection, period)
        rec.table(regions, "by_region", show=False)
        rec.figure(charts.regions_chart(regions, period, lang, what), "regions",
                   alt=charts.regions_alt(regions, period, lang, what))

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(sources)

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")

# %% keep_output=true
rec.finish()
