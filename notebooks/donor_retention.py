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
# **Donor retention** (analyst's note, hidden in the report). One row per donor visit
# (visits kind). The default input is simulated (`data/example/visits_simulated.csv`,
# made by `python -m analysis.simulate.visits`); point `visits_path` at a real export and,
# if its headers differ, map them with `visits_columns`. Donor ids never leave `analysis`:
# `retention.summarise` sums the visits up per donor under a meaningless integer key (in
# DuckDB for a large file, whose visits and ids never come into pandas).

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # labels, headings and number formats; one of: vi, en
visits_path: str = "data/example/visits_simulated.csv"  # one row per donor visit (visits kind)
visits_columns: Optional[dict] = None  # {canonical_name: name_in_file}, or None
min_interval_days: int = 84  # legal minimum between whole-blood donations (12 weeks); range: [1, 3650]
min_cell: int = 5  # cells of fewer people than this are hidden in published tables; range: [1, inf)
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis.output.record import Recorder
from analysis.reports.donor_retention import charts, context
from analysis.reports.donor_retention import compute as retention
from analysis.reports.donor_retention import inputs as report_inputs

rec = Recorder("donor_retention", globals())
data = retention.summarise(report_inputs.read(rec.params, rec.input)["visits"])
donors, end_day = data.donors, data.end_day
end = retention.to_date(end_day)
km = retention.return_curve(donors, end_day)
figs = retention.key_figures(data, min_interval_days, km)
rec.metrics(figs)
status = retention.status_table(donors, end_day, min_cell)
cohorts = retention.published_cohorts(data, min_cell)
rec.say("title")
rec.header()
rec.findings(**context.key_findings(figs, status, cohorts, min_interval_days))

# %% [markdown] tags=["analyst-note"]
# Who gives how often: donors by number of donations, the 10-or-more classes highlighted.
# Every table below comes out of `disclosure.protect` (inside `retention`): cells of fewer
# than `min_cell` people are hidden before any text, chart or file is made from them.

# %%
rec.say("overview", **context.overview(figs))
freq = retention.frequency_table(donors, min_cell)
rec.table(freq, "donation_frequency", show=False)
rec.show(retention.shown(freq, lang))
rec.figure(charts.frequency_chart(freq, figs["share_10_plus"], lang), "donation_frequency")

# %% [markdown] tags=["analyst-note"]
# Donor status at the last date in the data (new, regular, lapsed).

# %%
rec.say("status", **context.status(status, end))
rec.table(status, "donor_status", show=False)
rec.figure(charts.status_chart(status, end, lang), "donor_status")

# %% [markdown] tags=["analyst-note"]
# Cohort retention: the heatmap, the table and the sentence are all made from the
# published (suppressed) table, so no hidden cell can be read back from any of them.

# %%
rec.say("cohorts", **context.cohorts(cohorts))
rec.table(cohorts, "cohort_retention", show=False)
rec.figure(charts.cohort_heatmap(cohorts, lang), "cohort_retention")
rec.show(retention.shown(cohorts, lang))
rec.say("suppression", min_cell=min_cell)

# %% [markdown] tags=["analyst-note"]
# Time to the second donation (Kaplan–Meier, lifelines), and gaps against the legal minimum.

# %%
rec.say("return", **context.returns(figs))
rec.figure(charts.return_curve_chart(km, figs["return_within_12m"], figs["return_within_24m"], lang),
           "time_to_second_donation")
rec.say("gaps", **context.gaps(figs, min_interval_days))
rec.figure(charts.gap_histogram(retention.donation_gaps(data), min_interval_days,
                                figs["share_returns_under_min_interval"], lang),
           "donation_gaps")

# %% [markdown] tags=["analyst-note"]
# By sex and age band (age at first visit), where the file gives them.

# %%
by_sex = retention.group_table(data, "sex", min_cell)
by_age = retention.group_table(data, "age_band", min_cell)
rec.say("groups", **context.groups(by_sex, by_age))
rec.table(by_sex, "by_sex", show=False)
rec.table(by_age, "by_age_band", show=False)
rec.show(retention.shown(by_sex, lang), retention.shown(by_age, lang))
if len(by_sex) or len(by_age):
    rec.figure(charts.groups_chart(by_sex, by_age, lang), "by_sex_and_age")

# %% [markdown] tags=["analyst-note"]
# The appendix: parameters, inputs with their kind and sha256, sources.

# %%
rec.appendix()

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %%
rec.say("key_figures")

# %% keep_output=true
rec.finish()
