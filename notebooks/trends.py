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
# (year, scope, measure, value, qualifier, source_id) `read_series` recognises; it
# takes the national units, one figure per published year, qualifiers kept. Any other file
# is read as a timeseries (date, donations, optional region and breakdown columns); map its
# headers with `timeseries_columns`. Rules (incomplete periods, gaps, total rows, growth,
# seasonality) are written once, in the docstring of `analysis/trends.py`.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # "vi" or "en": labels, headings and number formats
timeseries_path: str = "data/published/national.csv"  # timeseries file, or the published national table
timeseries_columns: Optional[dict] = None  # {canonical_name: name_in_file}, or None
region: Optional[str] = None  # one region, or None for all regions together
period: str = "year"  # "day", "week", "month", "quarter" or "year"
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.model import disclosure
from analysis.output.record import Recorder
from analysis.reports.trends import charts
from analysis.reports.trends import compute as trends
from analysis.reports.trends import inputs as report_inputs

rec = Recorder("trends", globals())
raw = report_inputs.read(rec.params, rec.input)["series"]
measure = raw.attrs["measure"]
selection = trends.select_region(raw, region)
table = trends.by_period(selection.series, period)
figs = trends.key_figures(table, selection)
rec.metrics(figs)
text = trends.story(figs, table, selection, period, lang, measure)
rec.markdown(text["title"])
sources = trends.sources(raw)
rec.header()

# %% [markdown] tags=["analyst-note"]
# The series per period, with its moving average; incomplete periods are hollow and shaded,
# missing ones crossed on the axis.

# %%
rec.markdown(text["overview"])
rec.figure(charts.series_chart(table, figs, period, lang, measure), "series")
rec.table(disclosure.no_people(table), "by_period", show=False)
rec.show(trends.shown(table, period, lang))

# %% [markdown] tags=["analyst-note"]
# Growth: the change between consecutive complete years (annualised across unpublished
# years) and the compound rate over the whole span.

# %%
rec.markdown(text["growth"])
changes = trends.annual_changes(selection.series)
rec.table(disclosure.no_people(changes), "annual_change", show=False)
rec.figure(charts.annual_change_chart(changes, figs["growth_rate"], lang), "annual_change")

# %% [markdown] tags=["analyst-note"]
# Seasonality, only with two years or more of monthly (or quarterly) data.

# %%
rec.markdown(text["season"])
profile = trends.seasonal_profile(selection.series)
decomposition = trends.decompose(selection.series)
if profile is not None:
    rec.table(disclosure.no_people(profile), "seasonal_profile", show=False)
    rec.figure(charts.seasonal_chart(profile, lang), "seasonal_profile")
if decomposition is not None:
    rec.figure(charts.stl_chart(decomposition, lang), "stl_decomposition")

# %% [markdown] tags=["analyst-note"]
# Breakdown shares and regions, when the file has them.

# %%
shares = trends.breakdown_shares(selection.series, period)
regions = trends.by_region(raw, selection, period)
if len(shares):
    rec.markdown(text["breakdown"])
    rec.table(disclosure.no_people(shares), "breakdown_shares", show=False)
    rec.figure(charts.shares_chart(shares, lang), "breakdown_shares")
if len(regions) and region is None:
    rec.markdown(text["regions"])
    rec.table(disclosure.no_people(regions), "by_region", show=False)
    rec.figure(charts.regions_chart(regions, period, lang, measure), "regions")

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(sources)

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %% keep_output=true
rec.markdown(text["key_figures"])
rec.finish()
