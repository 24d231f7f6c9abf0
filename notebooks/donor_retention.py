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
# `retention.prepare` swaps them for a meaningless integer key on load.

# %%
from typing import Optional  # parameters below are annotated for papermill's inspection

# %% tags=["parameters"]
lang: str = "vi"  # "vi" or "en": labels, headings and number formats
visits_path: str = "data/example/visits_simulated.csv"  # one row per donor visit (visits kind)
visits_columns: Optional[dict] = None  # {canonical_name: name_in_file}, or None
min_interval_days: int = 84  # legal minimum between whole-blood donations (12 weeks)
min_cell: int = 5  # cells of fewer people than this are hidden in published tables
output_dir: Optional[str] = None  # where the runner writes figures, tables, metrics (None: nowhere)

# %%
from analysis import inputs
from analysis.output.record import Recorder
from analysis.reports.donor_retention import charts
from analysis.reports.donor_retention import compute as retention

rec = Recorder("donor_retention", output_dir, lang, dict(
    lang=lang, visits_path=visits_path, visits_columns=visits_columns,
    min_interval_days=min_interval_days, min_cell=min_cell,
))
visits = retention.prepare(inputs.load(rec.input(visits_path), "visits", visits_columns))
donors = retention.per_donor(visits)
end_day = int(visits["day"].max())
km = retention.return_curve(donors, end_day)
figs = retention.key_figures(visits, min_interval_days, donors, km)
rec.metrics(figs)
status = retention.status_table(donors, end_day, min_cell)
cohorts = retention.cohort_retention(visits)
text = retention.story(figs, donors, status, cohorts, min_interval_days, min_cell, lang)
rec.say(text["title"])
rec.header()

# %% [markdown] tags=["analyst-note"]
# Who gives how often: donors by number of donations, the 10-or-more classes highlighted.

# %%
rec.say(text["overview"])
freq = retention.frequency_table(donors, min_cell)
rec.table(freq, "donation_frequency", show=False)
rec.show(retention.shown(freq, lang, min_cell))
rec.figure(charts.frequency_chart(freq, figs["share_10_plus"], min_cell, lang), "donation_frequency")

# %% [markdown] tags=["analyst-note"]
# Donor status at the last date in the data (new, regular, lapsed).

# %%
rec.say(text["status"])
rec.table(status, "donor_status", show=False)
rec.figure(charts.status_chart(status, retention.to_date(end_day), min_cell, lang), "donor_status")

# %% [markdown] tags=["analyst-note"]
# Cohort retention: the heatmap and the published table are both built from the
# suppressed table, so no hidden cell can be read back from either.

# %%
rec.say(text["cohorts"])
published = retention.suppress(cohorts, min_cell, "returned", ("retention_rate",), "cohort_donors")
rec.table(published, "cohort_retention", show=False)
rec.figure(charts.cohort_heatmap(published, retention.cohort_sizes(donors), min_cell, lang),
           "cohort_retention")
rec.show(retention.shown(published, lang, min_cell))
rec.say(text["suppression"])

# %% [markdown] tags=["analyst-note"]
# Time to the second donation (Kaplan–Meier, lifelines), and gaps against the legal minimum.

# %%
rec.say(text["return"])
rec.figure(charts.return_curve_chart(km, figs["return_within_12m"], figs["return_within_24m"], lang),
           "time_to_second_donation")
rec.say(text["gaps"])
rec.figure(charts.gap_histogram(retention.donation_gaps(visits), min_interval_days,
                                figs["share_returns_under_min_interval"], lang),
           "donation_gaps")

# %% [markdown] tags=["analyst-note"]
# By sex and age band (age at first visit), where the file gives them.

# %%
rec.say(text["groups"])
by_sex = retention.group_table(visits, donors, "sex", min_cell)
by_age = retention.group_table(visits, donors, "age_band", min_cell)
rec.table(by_sex, "by_sex", show=False)
rec.table(by_age, "by_age_band", show=False)
rec.show(retention.shown(by_sex, lang, min_cell), retention.shown(by_age, lang, min_cell))
if len(by_sex) or len(by_age):
    rec.figure(charts.groups_chart(by_sex, by_age, lang), "by_sex_and_age")

# %% [markdown] tags=["analyst-note"]
# Key figures under the contract's names: the stored output of the next cell is what
# nbval compares, so a change that moves a key figure fails the test suite.

# %% keep_output=true
rec.say(text["key_figures"])
rec.finish()
