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
from analysis import inputs
from analysis.inputs import published
from analysis.model import campaign, scenario
from analysis.output.record import Recorder
from analysis.reports.campaign_progress import charts
from analysis.reports.campaign_progress import compute as progress

rec = Recorder("campaign_progress", output_dir, lang, dict(
    lang=lang, campaign_id=campaign_id, as_of=as_of, sessions_path=sessions_path,
    sessions_columns=sessions_columns, sessions_complete=sessions_complete,
    campaigns_path=campaigns_path, totals_path=totals_path, checkpoints_path=checkpoints_path,
    yield_sessions_path=yield_sessions_path,
))
campaigns = inputs.load(rec.input(campaigns_path), "campaigns")
plan = published.campaign(campaign_id, campaigns)
if sessions_path:
    sheet = inputs.load(rec.input(sessions_path), "sessions", sessions_columns, campaigns=campaigns)
else:  # the campaign's own rows of the published sessions
    sheet = progress.published_sheet(campaign_id, campaigns, rec.input(yield_sessions_path))
state = progress.prepare(sheet, plan, campaigns, as_of,
                         published.checkpoints(rec.input(checkpoints_path)), sessions_complete)
snapshot = campaign.snapshot_before(plan, inputs.load(rec.input(totals_path), "totals"))
hist_yield = progress.historical_yield(snapshot)
yield_sessions = published.sessions(rec.input(yield_sessions_path))
outlook = progress.projection(state, hist_yield,
                              scenario.session_yields(yield_sessions))
figs = progress.key_figures(state, outlook)
rec.metrics(figs)
text = progress.story(state, figs, outlook, hist_yield, sessions_path,
                      lang)
rec.say(text["title"])
rec.header(published.citations(
    progress.sources_used(state, outlook, snapshot, yield_sessions, published.sources())))

# %% [markdown] tags=["analyst-note"]
# Units so far against the target, by date; the remaining sessions and the projection
# of the final total on the right.

# %%
rec.say(text["status"])
if state.as_of is not None:
    rec.figure(charts.cumulative_progress(state, figs, outlook, lang), "cumulative_units")

# %% [markdown] tags=["analyst-note"]
# Sites: units, registrations, yield and deferral rate of each (tables/by_site.csv).

# %%
by_site = progress.by_site(state.held)
rec.table(by_site, "by_site", show=False)
if len(by_site):
    rec.say(text["sites"])
    rec.show(progress.site_table_for_report(by_site, lang))
    rec.figure(charts.site_units(by_site, lang), "by_site")

# %%
rec.say(text["yield"])

# %% [markdown] tags=["analyst-note"]
# What each remaining session must bring, against what the sessions held brought.

# %%
rec.say(text["needed"])
if len(state.held) and figs["sessions_remaining"]:
    rec.figure(charts.session_units(state, figs, lang), "units_per_session")

# %%
rec.say(text["projection"])
rec.say(text["unknown"])

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the last cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say(text["key_figures"])
rec.show(progress.key_figures_table(figs, lang))

# %% keep_output=true
rec.finish()
