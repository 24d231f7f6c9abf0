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
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
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
from analysis.model import scenario
from analysis.output.record import Recorder
from analysis.reports.campaign_progress import charts, context, figures, projection, tables
from analysis.reports.campaign_progress import compute as progress
from analysis.reports.campaign_progress import inputs as report_inputs

rec = Recorder("campaign_progress", globals())
data = report_inputs.read(rec.params, rec.input)
plan, state, snapshot, yield_sessions = data["plan"], data["state"], data["snapshot"], data["yield_sessions"]
hist_yield = progress.historical_yield(snapshot)
outlook = projection.outlook(state, hist_yield, scenario.session_yields(yield_sessions), projection.LEVEL)
figs = figures.key_figures(state, outlook)
rec.metrics(figs)
sheet = progress.details(state)  # row counts, sums and qualifiers the text needs beyond the key figures
sources = published.citations(
    figures.sources_used(state, outlook, snapshot, yield_sessions, published.sources()))
rec.say("title", **context.title(plan, figs))
rec.header()
rec.findings(**context.key_findings(figs, plan, sheet, outlook, projection.LEVEL))

# %% [markdown] tags=["analyst-note"]
# Units so far against the target, by date; the remaining sessions and the projection
# of the final total on the right.

# %%
rec.say("status", **context.status(figs, plan, sheet, sessions_path))
sessions = progress.sessions_table(state)
if figs["as_of"] is not None:
    rec.figure(charts.cumulative_progress(sessions, plan, sheet, figs, outlook, lang), "cumulative_units")

# %% [markdown] tags=["analyst-note"]
# Sites: units, registrations, yield and deferral rate of each (tables/by_site.csv).

# %%
by_site = progress.by_site(state.held)
rec.table(by_site, "by_site", show=False)
if len(by_site):
    rec.say("sites", **context.sites(by_site))
    rec.show(tables.shown(by_site, lang))
    rec.figure(charts.site_units(by_site, lang), "by_site")

# %%
rec.say("yield", **context.yield_(figs, sheet, hist_yield))

# %% [markdown] tags=["analyst-note"]
# What each remaining session must bring, against what the sessions held brought.

# %%
rec.say("needed", **context.needed(figs, sheet))
if figs["sessions_reported"] and figs["sessions_remaining"]:
    rec.figure(charts.session_units(sessions, figs, lang), "units_per_session")

# %%
rec.say("projection", **context.projection(figs, plan, sheet, outlook, projection.LEVEL))
rec.say("unknown", **context.unknown(figs, plan, sheet))

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(sources)

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the last cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")
rec.show(tables.key_figures_table(figs, projection.LEVEL, lang))

# %% keep_output=true
rec.finish()
