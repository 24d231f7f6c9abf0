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
# **Editions side by side** (analyst's note, hidden in the report). Every campaign of the
# campaigns file (or those named in `campaign_ids`), with its plan, its result where one is
# published, and the ratios between them, each figure with its qualifier. A figure no
# source gives stays missing: on the published data only the 2020 edition has a result.
# Point `sessions_path` at your own session sheet to count the sessions held.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
campaigns_path: str = "data/published/campaigns.csv"  # campaigns (campaigns kind): plans and results
totals_path: str = "data/published/totals.csv"  # cumulative totals: each target against the units before it
sessions_path: Optional[str] = "data/published/sessions.csv"  # sessions held (None: the published ones)
sessions_columns: Optional[dict] = None  # {canonical_name: name_in_file} for your own sheet, or None
campaign_ids: Optional[list] = None  # editions to compare (None: every campaign in the file, by start date)
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.inputs import published
from analysis.model import disclosure
from analysis.output.record import Recorder
from analysis.reports.campaign_comparison import charts, context
from analysis.reports.campaign_comparison import compute as comparison
from analysis.reports.campaign_comparison import inputs as report_inputs

rec = Recorder("campaign_comparison", globals())
data = report_inputs.read(rec.params, rec.input)
editions = disclosure.no_people(comparison.edition_table(
    data["campaigns"], data["sessions"], data["sessions_published"], data["totals"], data["campaign_ids"]))
figs = comparison.key_figures(editions.frame)
rec.metrics(figs)
rec.say("title", **context.title(editions.frame))
rec.header()
found = context.findings(figs, editions.frame)  # the box, and the results and growth sections
rec.findings(**found)

# %% [markdown] tags=["analyst-note"]
# Edition by edition: tables/editions.csv keeps every figure with a `_qualifier` column and
# leaves a missing figure empty; the table below says "not published".

# %%
rec.say("editions", **context.table_notes(editions.frame, data["sessions_published"]))
rec.table(editions, "editions", show=False)
rec.show(comparison.shown(editions, lang))

# %% [markdown] tags=["analyst-note"]
# Target and units collected: an edition without a published result gets no bar, and says so.

# %%
rec.say("results", **found)
if charts.has_any(editions):
    rec.figure(charts.target_and_result(editions, lang), "target_and_result")

# %% [markdown] tags=["analyst-note"]
# The target's compound growth per year, first to last edition with a target and a start date.

# %%
rec.say("growth", **found)

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(comparison.sources(data["campaigns"], data["totals"], editions.frame, published.sources()))

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")

# %% keep_output=true
rec.finish()
