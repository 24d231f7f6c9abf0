"""Donors' visits in compact form, and their return to give: shared by the donor reports.

`prepare` turns a loaded visits frame into a compact one (an int32 donor key in
place of the id, int32 day numbers, a bool for "donated"), sorted by donor and
day once, so that every per-donor figure afterwards is a linear pass over numpy
arrays; donor ids are dropped there and never reach a table, a figure or a
printed line. `per_donor` sums each donor up. `return_curve` is the return
model: a Kaplan–Meier estimate of the time from a donor's first donation to the
second, censored at the end of the data. `donor_retention` reports it;
`donor_pool` applies it to the time since each donor's last donation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import DataError

if TYPE_CHECKING:  # lifelines is imported where a curve is fitted, not on import
    from lifelines import KaplanMeierFitter

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 60))
_SEX = {"m": "M", "male": "M", "nam": "M", "f": "F", "female": "F", "nữ": "F", "nu": "F"}
_NS_PER_DAY = 86_400_000_000_000
NONE = np.iinfo(np.int32).min  # "no such donation" in the per-donor day columns

# --------------------------------------------------------------------------- preparation


def prepare(visits: pd.DataFrame) -> pd.DataFrame:
    """The compact frame every function below takes, sorted by donor then day.

    Columns: donor (int32 key, 0..n-1, no meaning), day (int32, days since
    1970-01-01), donated (bool: outcome is not "deferred"; a missing outcome
    counts as a donation), and where the input has them sex ("M", "F" or the
    file's own text; categorical) and birth_year (float32, NaN when missing),
    both taken from the donor's first row in the file, and each visit's site
    (categorical). Ties of the same donor on the same day put donations before
    deferrals.
    `attrs["has_outcome"]` says whether the input had an outcome column.
    """
    if visits.empty:
        raise DataError("the visits file holds no visit")
    if "donor_id" not in visits and {"donor", "day"} <= set(visits):
        return _from_numbered(visits)
    codes = _donor_codes(visits["donor_id"])
    if (codes < 0).any():
        raise DataError(f"{int((codes < 0).sum())} visits have no donor_id")
    dates = visits["visit_date"]
    if dates.dtype != "datetime64[ns]":
        dates = pd.to_datetime(dates)
    dates = dates.to_numpy(dtype="datetime64[ns]")
    day = dates.view(np.int64) // _NS_PER_DAY
    has_outcome = "outcome" in visits
    deferred = (~donated(visits)).astype(np.int64)
    # one int64 key (donor | day | deferred) sorted in place of a three-key lexsort: ~15x faster
    first_day = day.min()
    if day.max() - first_day >= 1 << 30:
        raise DataError("visit dates span more than a million years")
    key = (codes.astype(np.int64) << 31) | ((day - first_day) << 1) | deferred
    site = None
    if "site" in visits:  # a visit's own column: it needs the order, not only the sorted keys
        order = np.argsort(key, kind="stable")
        key = key[order]
        site = visits["site"].astype("category").array.take(order)
    else:
        key.sort()
    out = {
        "donor": (key >> 31).astype(np.int32),
        "day": (((key >> 1) & ((1 << 30) - 1)) + first_day).astype(np.int32),
        "donated": (key & 1) == 0,
    }
    del key
    # per-donor attributes from each donor's first row in the file (factorize numbers
    # donors in order of first appearance), spread back over the sorted rows
    seen = np.maximum.accumulate(codes)
    first_rows = np.flatnonzero(np.r_[True, codes[1:] > seen[:-1]])
    if "sex" in visits:
        codes_s, values = pd.factorize(visits["sex"])
        remap, cats = _sex_names(values)
        per_donor_sex = remap[codes_s[first_rows]]
        out["sex"] = pd.Categorical.from_codes(per_donor_sex[out["donor"]], categories=cats)
    if "birth_year" in visits:
        years = pd.to_numeric(visits["birth_year"].take(first_rows), errors="coerce").to_numpy(
            dtype=np.float32, na_value=np.nan)
        out["birth_year"] = years[out["donor"]]
    if site is not None:
        out["site"] = site
    frame = pd.DataFrame(out, copy=False)
    frame.attrs["has_outcome"] = has_outcome
    return frame


def compact(visits: pd.DataFrame) -> pd.DataFrame:
    """`prepare`'s frame of the visits: the frame itself when it is one already, as a report
    may be given either (`inputs.load_visits` gives the engine's numbered frame for a large
    file, the loader's for a small one)."""
    return visits if {"donor", "day", "donated"} <= set(visits) else prepare(visits)


def _from_numbered(visits: pd.DataFrame) -> pd.DataFrame:
    """`prepare` of a frame the large-file engine numbered and sorted already
    (`inputs.engine.compact_visits`): only the outcome and sex words are read."""
    out = {"donor": visits["donor"].to_numpy(np.int32), "day": visits["day"].to_numpy(np.int32)}
    donated = np.ones(len(visits), dtype=bool)
    if "outcome" in visits:
        outcome = visits["outcome"].cat
        donated = ~_deferred(outcome.categories)[np.asarray(outcome.codes)]
    out["donated"] = donated
    if "sex" in visits:
        sex = visits["sex"].cat
        remap, cats = _sex_names(sex.categories)
        out["sex"] = pd.Categorical.from_codes(remap[np.asarray(sex.codes)], categories=cats)
    if "birth_year" in visits:
        out["birth_year"] = visits["birth_year"].to_numpy(np.float32)
    if "site" in visits:
        out["site"] = visits["site"].array
    frame = pd.DataFrame(out, copy=False)
    frame.attrs["has_outcome"] = "outcome" in visits
    return frame


def donated(visits: pd.DataFrame) -> np.ndarray:
    """Whether each visit of a loaded visits frame is a donation: its outcome is not "deferred"
    (a missing outcome, or no outcome column, counts as a donation). The words are read once
    each, on the few distinct outcomes, not once a visit."""
    if "outcome" not in visits:
        return np.ones(len(visits), dtype=bool)
    codes, values = pd.factorize(visits["outcome"])
    return ~_deferred(values)[codes]


def _deferred(values) -> np.ndarray:
    """Whether each distinct outcome word means "deferred", and a last False for code -1
    (a missing outcome counts as a donation). Text is cleaned on the few distinct values."""
    return np.array([str(v).strip().lower() == "deferred" for v in values] + [False])


def _sex_names(values) -> tuple[np.ndarray, list[str]]:
    """(code of each distinct sex word among the names, with -1 last for a missing one; the names):
    "M" and "F" for the words that say so in English or Vietnamese, else the file's own text."""
    names = [_SEX.get(str(v).strip().lower(), str(v).strip()) for v in values]
    cats = list(dict.fromkeys(names))
    return np.array([cats.index(n) for n in names] + [-1], dtype=np.int16), cats


def _donor_codes(ids: pd.Series) -> np.ndarray:
    """Donor numbers 0..n-1 in order of first appearance (-1: no id), as pd.factorize gives.

    The loader hands donor_id over as a categorical whose categories already
    are in that order: its codes are used as they are when they show it.
    """
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = np.asarray(ids.cat.codes)
        if codes.size and codes.min() >= 0:
            seen = np.maximum.accumulate(codes)
            if seen[0] == 0 and not (np.diff(seen) > 1).any():
                return codes
    codes, _ = pd.factorize(ids, sort=False)
    return codes


def to_date(day) -> pd.Timestamp:
    return pd.Timestamp(int(day), unit="D")


def years_of(day: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (a lookup table over the span: fast on millions)."""
    day = np.asarray(day)
    if day.size == 0:
        return np.zeros(0, dtype=np.int32)
    lo, hi = int(day.min()), int(day.max())
    span = np.arange(lo, hi + 1, dtype=np.int64)
    table = span.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970
    return table[day - lo]


def new_donor(donor: np.ndarray) -> np.ndarray:
    """Whether each row of a donor-sorted array starts a new donor."""
    new = np.empty(donor.size, dtype=bool)
    new[:1] = True
    np.not_equal(donor[1:], donor[:-1], out=new[1:])
    return new


def segments(donor: np.ndarray) -> np.ndarray:
    """Positions where a new donor starts in a donor-sorted array."""
    return np.flatnonzero(new_donor(donor))


def sorted_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """`prepare`'s frame sorted by donor then day (returned as it is when it already is)."""
    donor, day = visits["donor"].to_numpy(), visits["day"].to_numpy()
    same = donor[1:] == donor[:-1]
    if np.all(donor[1:] >= donor[:-1]) and np.all(day[1:][same] >= day[:-1][same]):
        return visits
    return visits.sort_values(["donor", "day"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- per donor


def per_donor(visits: pd.DataFrame) -> pd.DataFrame:
    """One row per donor with a donation: donations, first/second/last donation day,
    and (for every person who presented, donor or not) sex and age band at first visit.

    Index: the donor key. People whose every visit was deferred are kept with
    donations = 0 so that group deferral rates can count their visits.
    """
    return per_donor_sorted(sorted_visits(visits))


def per_donor_sorted(visits: pd.DataFrame, starts: np.ndarray | None = None,
                     donations: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """`per_donor` of a frame already sorted by donor then day (`starts`: its `segments`, and
    `donations`: its `donations_of`, if known)."""
    donor, day, donated = (visits[c].to_numpy() for c in ("donor", "day", "donated"))
    starts = segments(donor) if starts is None else starts
    people = donor[starts]
    d_donor, d_day, d_starts = donations_of(donor, day, donated) if donations is None else donations
    counts = np.diff(np.r_[d_starts, d_donor.size])
    # each donor with a donation among the people: people numbered 0..n-1 are their own position
    givers = d_donor[d_starts]
    dense = people.size == 0 or (people[0] == 0 and people[-1] == people.size - 1)
    pos = givers if dense else np.searchsorted(people, givers)

    def at_givers(values: np.ndarray, missing: int, dtype) -> np.ndarray:
        column = np.full(people.size, missing, dtype=dtype)
        column[pos] = values
        return column

    second = np.where(counts >= 2, d_day[np.minimum(d_starts + 1, max(d_day.size - 1, 0))], NONE)
    last = d_day[np.r_[d_starts[1:], d_day.size] - 1] if d_day.size else d_day
    columns = {
        "presentations": np.diff(np.r_[starts, donor.size]),
        "first_visit_day": day[starts],
        "donations": at_givers(counts, 0, np.int64),
        "first_day": at_givers(d_day[d_starts], NONE, np.int32),
        "second_day": at_givers(second, NONE, np.int32),
        "last_day": at_givers(last, NONE, np.int32),
    }
    if "sex" in visits:
        columns["sex"] = _words_at(visits["sex"], starts)
    if "birth_year" in visits:
        age = years_of(day[starts]) - visits["birth_year"].to_numpy()[starts]
        columns["age_band"] = age_band(age)
    return pd.DataFrame(columns, index=pd.Index(people, name="donor"), copy=False)


def donations_of(donor: np.ndarray, day: np.ndarray,
                 donated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The donations among donor-sorted visits: their donor, their day, and where each
    donor's donations start."""
    d_donor, d_day = donor[donated], day[donated]
    return d_donor, d_day, segments(d_donor)


def age_band(age: np.ndarray) -> pd.Categorical:
    """Age at first visit in the bands of Vietnam's donor ages (18–60); others 'other', NaN 'unknown'."""
    labels = [f"{lo}–{hi}" for lo, hi in AGE_BANDS]
    codes = np.full(len(age), len(labels), dtype=np.int8)  # other
    codes[np.isnan(age)] = len(labels) + 1  # unknown
    for k, (lo, hi) in enumerate(AGE_BANDS):
        codes[(age >= lo) & (age <= hi)] = k
    return pd.Categorical.from_codes(codes, categories=[*labels, "other", "unknown"])


def _words_at(column: pd.Series, rows: np.ndarray) -> pd.Categorical:
    """column's words at `rows`, as a categorical of the sorted words (taken by code from a
    categorical of millions, not turned into objects first)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        words = column.array.take(rows)
        return words.reorder_categories(sorted(words.categories))
    return pd.Categorical(column.to_numpy()[rows])


def time_to_second(donors: pd.DataFrame, end_day: int) -> pd.DataFrame:
    """Per donor: days from first donation to the second (returned) or to the end of the data."""
    d = donors[donors["donations"] > 0]
    returned = d["second_day"].to_numpy() != NONE
    stop = np.where(returned, d["second_day"].to_numpy(), end_day)
    return pd.DataFrame({"days": stop - d["first_day"].to_numpy(), "returned": returned}, index=d.index)


def return_curve(donors: pd.DataFrame, end_day: int) -> KaplanMeierFitter:
    """Kaplan–Meier fit of the time to the second donation (lifelines).

    Donors with the same time and outcome are fitted as one weighted row: the same
    curve and band as one row a donor (the counts at risk and of events are the
    same whole numbers), from a few thousand rows instead of millions.
    """
    t = time_to_second(donors, end_day)
    from lifelines import KaplanMeierFitter

    days, returned = t["days"].to_numpy(np.int64), t["returned"].to_numpy()
    key, counts = np.unique(days * 2 + returned, return_counts=True)
    return KaplanMeierFitter(label="second donation").fit(key // 2, (key % 2).astype(bool),
                                                          weights=counts.astype(float))


def return_within(km: KaplanMeierFitter, days: int) -> float:
    """Probability of a second donation within `days` days of the first (events on day `days` count)."""
    return float(1.0 - km.survival_function_at_times([days]).iloc[0])


def return_between(km: KaplanMeierFitter, known: np.ndarray, first: np.ndarray,
                   last: np.ndarray) -> np.ndarray:
    """Per donor, the chance of giving on a day in [first, last] counted from their last donation,
    given that they have not given in the `known` days since it.

    The return curve S(t) (the chance of no return within t days) read conditionally:
    (S(first − 1) − S(last)) / S(known). Zero where the span is empty or where the
    curve has already fallen to zero; the curve past its last observed day stays flat,
    so a donor gone longer than anyone followed is given no chance of return.
    """
    known, first, last = (np.asarray(a, dtype=np.int64) for a in (known, first, last))
    if known.size == 0:
        return np.zeros(0)
    times = np.unique(np.concatenate([known, first - 1, last]))
    curve = km.survival_function_at_times(times).to_numpy(dtype=float)

    def s(t):
        return curve[np.searchsorted(times, t)]

    base = s(known)
    p = np.divide(s(first - 1) - s(last), base, out=np.zeros(known.size), where=base > 0)
    return np.where(first <= last, np.clip(p, 0.0, 1.0), 0.0)
