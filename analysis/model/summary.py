"""Donors' visits summed up: one row per donor, and the few counts the donor reports need.

`summarise` takes the visits either as a loaded frame (the loader's: small files,
XLSX) or as a large file kept in DuckDB (`inputs.engine.Visits`), and gives the
same `Summary` both ways: on a frame with numpy (`returns.prepare`, then linear
passes over the sorted arrays), in DuckDB with SQL, so that ten million visits
never come into pandas, only their 2–3 million donor rows and a few small
tables. Donor ids are not in it: a donor is a number with no meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.model.returns import (
    _SEX,
    NONE,
    _ensure_sorted,
    _segments,
    _years,
    age_band,
    per_donor,
    prepare,
)


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
        return int(_years(np.array([self.end_day]))[0])


def summarise(visits) -> Summary:
    """The `Summary` of a loaded visits frame, of `prepare`'s compact frame, or of an
    `inputs.engine.Visits` (which is closed afterwards)."""
    if isinstance(visits, pd.DataFrame):
        return _from_frame(visits if {"donor", "day", "donated"} <= set(visits) else prepare(visits))
    with visits:
        return _from_engine(visits)


# --------------------------------------------------------------------------- in numpy


def gap_days(visits: pd.DataFrame) -> np.ndarray:
    """Days between each donor's consecutive donations (deferred visits skipped), from `prepare`'s frame."""
    visits = _ensure_sorted(visits)
    keep = visits["donated"].to_numpy()
    donor, day = visits["donor"].to_numpy()[keep], visits["day"].to_numpy()[keep]
    same = donor[1:] == donor[:-1]
    return (day[1:] - day[:-1])[same]


def _from_frame(visits: pd.DataFrame) -> Summary:
    visits = _ensure_sorted(visits)
    donors = per_donor(visits)
    day = visits["day"].to_numpy()
    end_day = int(day.max())
    keep = visits["donated"].to_numpy()
    donor, year = visits["donor"].to_numpy()[keep], _years(day[keep])
    last_year = int(_years(np.array([end_day]))[0])
    years, first_year = np.zeros((0, 0), dtype=np.int64), None
    if donor.size:
        starts = _segments(donor)
        cohort = year[starts]
        first_year = int(cohort.min())
        span = last_year - first_year + 1
        # one entry per (donor, calendar year): the arrays are sorted by donor then day
        new_year = np.r_[True, (donor[1:] != donor[:-1]) | (year[1:] != year[:-1])]
        seg = np.cumsum(np.r_[True, donor[1:] != donor[:-1]]) - 1
        c = cohort[seg[new_year]] - first_year
        after = year[new_year] - cohort[seg[new_year]]
        years = np.bincount(c * span + after, minlength=span * span).reshape(span, span)
    has_outcome = bool(visits.attrs.get("has_outcome", True))
    return Summary(donors=donors, presentations=len(visits), deferred=int((~keep).sum()),
                   has_outcome=has_outcome, first_day=int(day.min()), end_day=end_day,
                   gaps=np.bincount(gap_days(visits)), years=years, first_year=first_year)


# --------------------------------------------------------------------------- in DuckDB


def _words(values: list[str]) -> str:
    return ", ".join("'" + w.replace("'", "''") + "'" for w in values)


def _from_engine(visits) -> Summary:
    """The same figures as `_from_frame`, computed in SQL on the table the engine keeps.

    Each donor's sex and birth year are those of their first row in the file, as
    `prepare` takes them; a donation is a visit whose outcome is not "deferred"
    (the words are judged by `prepare`'s own rule, on the few distinct ones).
    """
    if not visits.rows:
        raise DataError("the visits file holds no visit")
    has_outcome = "outcome" in visits.columns
    deferred_words = [w for w in visits.words.get("outcome", []) if str(w).strip().lower() == "deferred"]
    donated = f"(outcome IS NULL OR outcome NOT IN ({_words(deferred_words)}))" if deferred_words else "true"
    source = f"(SELECT *, {donated} AS d FROM visits)"
    first, first_day, end_day, n, deferred = visits.sql(
        f"SELECT min(day) FILTER (d), min(day), max(day), count(*), count(*) FILTER (NOT d) FROM {source}"
    ).fetchall()[0]
    last_year = int(_years(np.array([end_day]))[0])
    first_year = None if first is None else int(_years(np.array([first]))[0])
    span = 0 if first_year is None else last_year - first_year + 1
    year = "year(DATE '1970-01-01' + day)"
    extra = []
    if "sex" in visits.columns:
        extra.append("any_value(sex) FILTER (first) AS sex")
    if "birth_year" in visits.columns:
        extra.append("any_value(birth_year) FILTER (first) AS birth_year")
    masks = 0 < span <= 62  # the years a donor gave in, as the bits of one BIGINT
    if masks:
        # greatest(): a deferral before the first donation's year is filtered out, but its shift is still made
        extra.append(f"bit_or(1::BIGINT << greatest({year} - {first_year}, 0)) FILTER (d) AS gave")
    visits.sql(f"""CREATE TEMP TABLE per_donor AS
        SELECT donor, count(*) AS presentations, min(day) AS first_visit_day,
               count(*) FILTER (d) AS donations, min(day) FILTER (d) AS first_day,
               min(day, 2) FILTER (d) AS two, max(day) FILTER (d) AS last_day
               {"".join(", " + e for e in extra)}
        FROM {source} GROUP BY donor""")
    table = visits.arrow(f"""SELECT presentations, first_visit_day, donations,
               coalesce(first_day, {NONE}) AS first_day,
               CASE WHEN donations >= 2 THEN two[2] ELSE {NONE} END AS second_day,
               coalesce(last_day, {NONE}) AS last_day
               {", sex" if "sex" in visits.columns else ""}
               {", birth_year" if "birth_year" in visits.columns else ""}
        FROM per_donor ORDER BY donor""")
    donors = pd.DataFrame({
        "presentations": table.column("presentations").to_numpy().astype(np.int64),
        "first_visit_day": table.column("first_visit_day").to_numpy().astype(np.int32),
    }, index=pd.Index(np.arange(table.num_rows, dtype=np.int32), name="donor"))
    donors["donations"] = table.column("donations").to_numpy().astype(np.int64)
    for name in ("first_day", "second_day", "last_day"):
        donors[name] = table.column(name).to_numpy().astype(np.int32)
    if "sex" in visits.columns:
        donors["sex"] = _sex_names(table.column("sex"))
    if "birth_year" in visits.columns:
        birth = table.column("birth_year").to_numpy(zero_copy_only=False).astype(np.float32)
        donors["age_band"] = age_band(_years(donors["first_visit_day"].to_numpy()) - birth)
    del table
    if masks:
        years = _years_from_masks(visits, span, first_year)
    else:
        years = _years_by_sql(visits, source, span, first_year)
    gaps = visits.arrow(f"""SELECT gap, count(*) AS n FROM (
            SELECT day - lag(day) OVER (PARTITION BY donor ORDER BY day) AS gap FROM visits WHERE {donated})
        WHERE gap IS NOT NULL GROUP BY gap""")
    gap, count = gaps.column("gap").to_numpy(), gaps.column("n").to_numpy()
    counts = np.zeros(int(gap.max()) + 1 if gap.size else 0, dtype=np.int64)
    counts[gap] = count
    return Summary(donors=donors, presentations=int(n), deferred=int(deferred), has_outcome=has_outcome,
                   first_day=int(first_day), end_day=int(end_day), gaps=counts, years=years,
                   first_year=first_year)


def _sex_names(column) -> np.ndarray:
    """Each donor's sex as `prepare` names it ("M", "F" or the file's own word), NaN when missing."""
    column = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if not hasattr(column, "dictionary"):  # every value missing
        return np.full(len(column), np.nan, dtype=object)
    words = [str(w).strip() for w in column.dictionary.to_pylist()]
    names = np.array([_SEX.get(w.lower(), w) for w in words] + [np.nan], dtype=object)
    codes = column.indices.cast("int64").fill_null(-1).to_numpy(zero_copy_only=False)
    return names[codes]


def _years_from_masks(visits, span: int, first_year: int) -> np.ndarray:
    """`Summary.years` from each donor's bits of the years they gave in, grouped in SQL first."""
    rows = visits.arrow(f"""SELECT year(DATE '1970-01-01' + first_day) - {first_year} AS c, gave,
               count(*) AS n FROM per_donor WHERE donations > 0 GROUP BY ALL""")
    c, gave, n = (rows.column(k).to_numpy() for k in ("c", "gave", "n"))
    years = np.zeros((span, span), dtype=np.int64)
    for bit in range(span):
        has = ((gave >> bit) & 1).astype(bool) & (c <= bit)
        np.add.at(years, (c[has], bit - c[has]), n[has])
    return years


def _years_by_sql(visits, source: str, span: int, first_year: int | None) -> np.ndarray:
    """`Summary.years` by distinct (donor, year) pairs: for data spanning more years than a mask holds."""
    years = np.zeros((span, span), dtype=np.int64)
    if first_year is None:
        return years
    rows = visits.arrow(f"""WITH g AS (SELECT DISTINCT donor, year(DATE '1970-01-01' + day) AS y
                                       FROM {source} WHERE d)
        SELECT year(DATE '1970-01-01' + p.first_day) - {first_year} AS c,
               g.y - year(DATE '1970-01-01' + p.first_day) AS k, count(*) AS n
        FROM g JOIN per_donor p USING (donor) GROUP BY ALL""")
    years[rows.column("c").to_numpy(), rows.column("k").to_numpy()] = rows.column("n").to_numpy()
    return years
