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
# **Historical totals against a campaign's plan** (analyst's note, hidden in the report).
# Change a parameter below (another `campaign_id`, your own `registered` or `show_rate`)
# and run all cells. Every figure comes from `data/published/` through `analysis`.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
campaign_id: str = "giotmau-2023"  # campaign to set against history (giotmau-<year>)
registered: Optional[int] = None  # officers registered (None: the published figure); range: (0, inf)
show_rate: float = 1.0  # share of the registered who present; range: (0, 1]
confidence: float = 0.9  # chance of meeting the target asked of the planning view; range: (0, 1)
totals_path: str = "data/published/totals.csv"  # cumulative totals (totals kind)
campaigns_path: str = "data/published/campaigns.csv"  # campaigns (campaigns kind)
yield_sessions_path: str = "data/published/sessions.csv"  # published sessions: yield spread
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.inputs import published
from analysis.model import campaign
from analysis.output.record import Recorder
from analysis.reports.historical_vs_campaign import charts, context
from analysis.reports.historical_vs_campaign import compute as cp
from analysis.reports.historical_vs_campaign import inputs as report_inputs

rec = Recorder("historical_vs_campaign", globals())
data = report_inputs.read(rec.params, rec.input)
totals, plan, yield_sessions = data["totals"], data["plan"], data["yield_sessions"]
snapshot = campaign.snapshot_before(plan, totals)  # None when nothing was published before
reg = campaign.registered_for(plan, registered)
model = campaign.model_for(plan, snapshot, yield_sessions)
figs = cp.core_figures(plan, snapshot, reg.value if reg else None, show_rate, model, cp.LEVEL)
rec.metrics(figs)
sources = published.citations(cp.sources_used(plan, snapshot, yield_sessions))
rec.say("title", **context.title(plan))
rec.header()
rec.findings(**context.key_findings(figs, plan, reg, model, cp.LEVEL))

# %% [markdown] tags=["analyst-note"]
# The history: cumulative units before the campaign, with the target stacked on top.

# %%
rec.say("history", **context.history(figs, snapshot))
rec.say("plan", **context.plan(figs, plan, reg))
if snapshot is not None:
    rec.figure(charts.cumulative_with_target(cp.history_table(totals, snapshot), plan.target_units,
                                             plan.year, lang),
               "cumulative_with_target")

# %% [markdown] tags=["analyst-note"]
# The yield the target requires, against the historical yield and real published sessions.

# %%
rec.say("required", **context.required(figs, reg, show_rate, model))
if figs["required_yield"] is not None and figs["hist_yield"] is not None:
    rec.figure(charts.yield_comparison(figs["hist_yield"], figs["required_yield"],
                                       cp.yields_table(yield_sessions), plan.year, lang),
               "required_vs_historical_yield")

# %%
if figs["projected_units"] is not None:
    rec.say("projection", **context.projection(figs, model, reg, cp.LEVEL))
    rec.figure(charts.projection_density(model, figs["campaign_registered"] * show_rate,
                                         plan.target_units, figs["projected_units_low"],
                                         figs["projected_units_high"], cp.LEVEL, lang),
               "projection")
rec.say("pace", **context.pace(figs))

# %%
if reg is not None and model is not None:
    planning = cp.planning_table(model, plan.target_units, show_rate, confidence)
    rec.say("planning", **context.planning(planning, confidence, show_rate, reg))
    rec.table(planning, "registrations_needed", show=False)
    rec.show(cp.shown(planning, lang))
    rec.figure(charts.planning_curve(model, plan.target_units, show_rate, reg.value, lang),
               "registrations_needed")

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(sources)

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")
rec.show(cp.key_figures_table(figs, cp.LEVEL, lang))

# %% keep_output=true
rec.finish()
