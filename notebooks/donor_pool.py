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
# **Donor pool** (analyst's note, hidden in the report). Who of our own donors can give on a
# drive's dates, how many the return model expects, and how many units are left for newcomers.
# The default input is simulated (`data/example/visits_simulated.csv`); point `visits_path`
# at a real export and, if its headers differ, map them with `visits_columns`. The pool is
# counted on `as_of` (default: the campaign's start date in `campaigns_path`). No list of
# donors is produced: every table passes `disclosure.protect` inside `analysis`.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
visits_path: str = "data/example/visits_simulated.csv"  # one row per donor visit (visits kind)
visits_columns: Optional[dict] = None  # {canonical_name: name_in_file}, or None
campaign_id: str = "giotmau-2023"  # the drive to plan for (giotmau-<year>): its dates and target
campaigns_path: str = "data/published/campaigns.csv"  # campaigns (campaigns kind)
as_of: Optional[str] = None  # ISO date the pool is counted on (None: the campaign's start date)
min_interval_days: int = 84  # legal minimum between whole-blood donations (12 weeks); range: [1, 3650]
active_months: int = 24  # a donor who gave within this many calendar months is active; range: [1, 600]
min_cell: int = 5  # cells of fewer people than this are hidden in published tables; range: [1, inf)
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.inputs import published
from analysis.output.record import Recorder
from analysis.reports.donor_pool import charts, context
from analysis.reports.donor_pool import compute as pool
from analysis.reports.donor_pool import inputs as report_inputs

rec = Recorder("donor_pool", globals())
data = report_inputs.read(rec.params, rec.input)
plan, day = data["plan"], data["as_of"]
report = pool.report(data, min_interval_days, active_months, min_cell)
figs = report.figs
rec.metrics(figs)
rec.say("title", **context.title(plan, figs))
rec.header()
rec.findings(**context.findings(figs, report.phases, min_interval_days, active_months))

# %% [markdown] tags=["analyst-note"]
# The pool on `as_of` by status: eligible and active, active but still waiting, lapsed.

# %%
if day is not None:
    rec.say("pool", **context.pool(figs, report.status, min_interval_days, active_months))
    rec.table(report.status, "pool_by_status", show=False)
    rec.show(pool.shown(report.status, lang))
    rec.figure(charts.status_chart(report.status, day, lang), "pool_by_status")

# %% [markdown] tags=["analyst-note"]
# By site of the last donation, sex and age band (in the year of `as_of`), where the file has them.

# %%
if day is not None:
    rec.say("groups", **context.groups(report.groups))
    for by, table in report.groups.items():
        rec.table(table, f"pool_by_{by}", show=False)
        rec.show(pool.shown(table, lang, by))
    if len(report.groups["site"]):
        rec.figure(charts.site_chart(report.groups["site"], lang), "pool_by_site")

# %% [markdown] tags=["analyst-note"]
# When donors come off the wait (`min_interval_days`) during the campaign window, day by day.

# %%
rec.say("wait", **context.wait(figs, report.phases, min_interval_days))
if report.window is not None:
    rec.table(report.by_day, "off_wait_by_day", show=False)
    rec.table(report.phases, "wait_phases", show=False)
    rec.figure(charts.wait_chart(report.by_day, report.phases, report.window.start, lang), "off_wait_by_day")

# %% [markdown] tags=["analyst-note"]
# Expected returning donors (the retention report's return curve, read conditionally), and
# the units left for newcomers; then the registrations the core report says the target needs.

# %%
rec.say("returning", **context.returning(figs, report.returning and report.returning.end_of_data))
rec.say("newcomers", **context.newcomers(figs, report.has_outcome))
rec.say("suppression", min_cell=min_cell)

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix(pool.sources(plan, published.sources()))

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")

# %% keep_output=true
rec.finish()
