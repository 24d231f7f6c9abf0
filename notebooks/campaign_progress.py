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
# **A campaign in progress** (analyst's note, hidden in the report).
# Point `sessions_path` at the organiser's session sheet (one row per session), set
# `as_of` to the day the report should stop at, and run all cells. A session counts as
# held when it is dated on or before `as_of` and has units; remaining sessions are the
# campaign's planned sessions minus those held. For campaigns known only from the press,
# set `sessions_complete` to False: the units to date are then a lower bound.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # "vi" or "en": labels, headings and number formats
campaign_id: str = "giotmau-2023"  # campaign to track (giotmau-<year>)
as_of: Optional[str] = None  # ISO date the report stops at (None: the last session in the sheet)
sessions_path: Optional[str] = "data/example/sessions_2023_simulated.csv"  # session sheet (None: published)
sessions_columns: Optional[dict] = None  # {canonical_name: name_in_file} for the sheet, or None
sessions_complete: bool = True  # the sheet lists every session held (False: only those published)
campaigns_path: str = "data/published/campaigns.csv"  # campaigns (campaigns kind)
totals_path: str = "data/published/totals.csv"  # cumulative totals: the historical yield
checkpoints_path: str = "data/published/checkpoints.csv"  # published tallies during campaigns
yield_sessions_path: str = "data/published/sessions.csv"  # published sessions: yield spread
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.inputs import published
from analysis.model import disclosure, scenario
from analysis.output.record import Recorder
from analysis.reports.campaign_progress import charts
from analysis.reports.campaign_progress import compute as progress
from analysis.reports.campaign_progress import inputs as report_inputs

rec = Recorder("campaign_progress", globals())
data = report_inputs.read(rec.params, rec.input)
plan, state, snapshot, yield_sessions = data["plan"], data["state"], data["snapshot"], data["yield_sessions"]
hist_yield = progress.historical_yield(snapshot)
yield_sessions = published.sessions(rec.input(yield_sessions_path))
outlook = progress.projection(state, hist_yield,
                              scenario.session_yields(yield_sessions))
figs = progress.key_figures(state, outlook)
rec.metrics(figs)
text = progress.story(state, figs, outlook, hist_yield, sessions_path,
                      lang)
rec.markdown(text["title"])
sources = published.citations(
    progress.sources_used(state, outlook, snapshot, yield_sessions, published.sources()))
rec.header()

# %% [markdown] tags=["analyst-note"]
# Units so far against the target, by date; the remaining sessions and the projection
# of the final total on the right.

# %%
rec.markdown(text["status"])
if state.as_of is not None:
    rec.figure(charts.cumulative_progress(state, figs, outlook, lang), "cumulative_units")

# %% [markdown] tags=["analyst-note"]
# Sites: units, registrations, yield and deferral rate of each (tables/by_site.csv).

# %%
by_site = progress.by_site(state.held)
rec.table(disclosure.no_people(by_site), "by_site", show=False)
if len(by_site):
    rec.markdown(text["sites"])
    rec.show(progress.site_table_for_report(by_site, lang))
    rec.figure(charts.site_units(by_site, lang), "by_site")

# %%
rec.markdown(text["yield"])

# %% [markdown] tags=["analyst-note"]
# What each remaining session must bring, against what the sessions held brought.

# %%
rec.markdown(text["needed"])
if len(state.held) and figs["sessions_remaining"]:
    rec.figure(charts.session_units(state, figs, lang), "units_per_session")

# %%
rec.markdown(text["projection"])
rec.markdown(text["unknown"])

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(sources)

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the last cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.markdown(text["key_figures"])
rec.show(progress.key_figures_table(figs, lang))

# %% keep_output=true
rec.finish()
