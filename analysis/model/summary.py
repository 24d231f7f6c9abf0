"""Donors' visits summed up: one row per donor, and the few counts the donor reports need.

`summarise` takes `returns.prepare`'s compact frame (donors numbered, visits sorted by
donor and day), or any frame `prepare` takes: the loader's visits (small files, XLSX)
or the large-file engine's (`inputs.engine.compact_visits`, which numbers and sorts ten
million visits in DuckDB so that no donor id comes into pandas). Every figure is then
a linear pass over the sorted numpy arrays. Donor ids are not in it: a donor is a
number with no meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.model.returns import compact, donations_of, new_donor, per_donor_sorted, sorted_visits, years_of


@dataclass(frozen=True)
class Summary:
    """What the donor reports read from visits.

    `donors` is `returns.per_donor`'s frame (one row per person who presented);
    `gaps[d]` counts returns d days after the donor's previous donation;
    `years[c, k]` counts the donors whose first donation was in year
    `first_year + c` and who gave in year `first_year + c + k` (so `years[c, 0]`
    is the cohort's size); the years run to the last year in the data.
    """

    donors: pd.DataFrame
    presentations: int  # visits, deferred ones included
    deferred: int  # visits whose outcome is "deferred"
    has_outcome: bool
    first_day: int  # first and last day with a visit (days since 1970-01-01)
    end_day: int
    gaps: np.ndarray
    years: np.ndarray
    first_year: int | None  # None: no donation at all

    @property
    def last_year(self) -> int:
        return int(years_of(np.array([self.end_day]))[0])


def summarise(visits: pd.DataFrame) -> Summary:
    """The `Summary` of `prepare`'s compact frame, or of a frame `prepare` takes."""
    return _from_frame(compact(visits))


def _from_frame(visits: pd.DataFrame) -> Summary:
    """Every figure by linear passes over the sorted arrays (each mask and segment made once)."""
    visits = sorted_visits(visits)
    donor, day, keep = (visits[c].to_numpy() for c in ("donor", "day", "donated"))
    donations = donations_of(donor, day, keep)
    donors = per_donor_sorted(visits, np.flatnonzero(new_donor(donor)), donations)
    end_day = int(day.max())
    d_donor, d_day, starts = donations
    d_new = np.zeros(d_donor.size, dtype=bool)
    d_new[starts] = True
    gaps = (d_day[1:] - d_day[:-1])[~d_new[1:]]  # between a donor's consecutive donations
    year = years_of(d_day)
    last_year = int(years_of(np.array([end_day]))[0])
    years, first_year = np.zeros((0, 0), dtype=np.int64), None
    if d_donor.size:
        cohort = year[starts]
        first_year = int(cohort.min())
        span = last_year - first_year + 1
        # one entry per (donor, calendar year): the arrays are sorted by donor then day
        new_year = d_new  # marked in place: d_new is not read past here
        new_year[1:] |= year[1:] != year[:-1]
        at = np.flatnonzero(new_year)
        since = (year - np.repeat(cohort, np.diff(np.r_[starts, d_donor.size])))[at]  # years after the first
        years = np.bincount((year[at] - since - first_year) * span + since,
                            minlength=span * span).reshape(span, span)
    has_outcome = bool(visits.attrs.get("has_outcome", True))
    return Summary(donors=donors, presentations=len(visits), deferred=int(keep.size - d_donor.size),
                   has_outcome=has_outcome, first_day=int(day.min()), end_day=end_day,
                   gaps=np.bincount(gaps), years=years, first_year=first_year)
