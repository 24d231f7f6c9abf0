"""Donor retention from visit records (one row a donor visit).

Definitions are the contract's (see the donor_retention notebook): a visit whose
outcome is "deferred" is no donation; donors are the people with at least one
donation; gaps are between a donor's consecutive donations; return within
N months is a Kaplan–Meier estimate from the first donation to the second,
censored at the last date in the data.

Built for ten million visits on a small machine: `summarise` sums the visits up
per donor with numpy, in linear passes over visits sorted by donor and day (sorted
in DuckDB for a large file, by `prepare` for a loaded one), and every figure and
table here is made from that `Summary`: two to three million donor rows and a few
small tables, never the visits themselves. Donor ids are not in it and never
reach a table, a figure or a printed line. Each function also takes `prepare`'s
compact frame (summed up first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.model import disclosure
from analysis.model.returns import per_donor as per_donor
from analysis.model.returns import prepare as prepare
from analysis.model.returns import (  # the return model, shared with donor_pool
    return_curve,
    return_within,
    to_date,
)
from analysis.model.summary import Summary
from analysis.model.summary import summarise as summarise  # the notebook's entry point
from analysis.text import i18n

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

LAPSE_DAYS = 730  # "lapsed": last donation more than 2 years before the end of the data
YEAR_DAYS = (365, 730)  # return within 12 / 24 months
STATUSES = ("new", "regular", "lapsed")
FREQ_BINS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30)  # lower edges of the frequency classes


def _summary(data: Summary | pd.DataFrame) -> Summary:
    return data if isinstance(data, Summary) else summarise(data)


# --------------------------------------------------------------------------- per donor


def donation_gaps(data: Summary | pd.DataFrame) -> np.ndarray:
    """How many returns came after each number of days since the donor's previous donation
    (deferred visits skipped): element d counts the gaps of d days."""
    return _summary(data).gaps


def _median(counts: np.ndarray) -> float | None:
    """The median of the values whose counts are given (value d counted counts[d] times), as np.median."""
    n = int(counts.sum())
    if not n:
        return None
    cum = np.cumsum(counts)
    lo, hi = (int(np.searchsorted(cum, k, side="right")) for k in ((n - 1) // 2, n // 2))
    return (lo + hi) / 2


# --------------------------------------------------------------------------- key figures


def key_figures(
    data: Summary | pd.DataFrame,
    min_interval_days: int = 84,
    km: KaplanMeierFitter | None = None,
) -> dict[str, float | int | str | None]:
    """The donor_retention key figures under the contract's names, and a few more."""
    if min_interval_days <= 0:
        raise DataError(f"min_interval_days must be positive, got {min_interval_days}")
    data = _summary(data)
    donors = data.donors
    givers = donors.loc[donors["donations"] > 0, "donations"]
    n_donors, n_donations = int(givers.size), int(givers.sum())
    gaps = data.gaps
    returns, under = int(gaps.sum()), int(gaps[:min_interval_days].sum())
    km = return_curve(donors, data.end_day) if km is None and n_donors else km

    def share(part, whole):
        return float(part) / whole if whole else None

    return {
        "donors": n_donors,
        "visits": n_donations,
        "visits_per_donor": share(n_donations, n_donors),
        "repeat_donor_share": share((givers >= 2).sum(), n_donors),
        "share_10_plus": share((givers >= 10).sum(), n_donors),
        "median_return_days": _median(gaps),
        "share_returns_under_min_interval": share(under, returns),
        "return_within_12m": return_within(km, YEAR_DAYS[0]) if km is not None else None,
        "return_within_24m": return_within(km, YEAR_DAYS[1]) if km is not None else None,
        "deferral_rate": share(data.deferred, data.presentations) if data.has_outcome else None,
        "deferred_visits": data.deferred if data.has_outcome else None,
        "presentations": data.presentations,
        "returns": returns,
        "returns_under_min_interval": under,
        "first_date": to_date(data.first_day).date().isoformat(),
        "last_date": to_date(data.end_day).date().isoformat(),
        "max_donations": int(givers.max()) if n_donors else None,
    }


# --------------------------------------------------------------------------- tables


def cohort_retention(data: Summary | pd.DataFrame) -> pd.DataFrame:
    """Cohort × years-after retention (the contract's tables/cohort_retention.csv).

    cohort_year: year of a donor's first donation; for years_after = 1 up to the
    last year in the data, returned = cohort donors with at least one donation
    in calendar year cohort_year + years_after. Deferred visits count for
    neither. partial_year marks cells whose calendar year the data does not
    cover to 31 December.
    """
    data = _summary(data)
    columns = ["cohort_year", "years_after", "cohort_donors", "returned", "retention_rate", "partial_year"]
    if data.first_year is None:
        return pd.DataFrame(columns=columns)
    y0, last_year, grid = data.first_year, data.last_year, data.years
    rows = [
        (y0 + c, k, int(grid[c, 0]), int(grid[c, k]))
        for c in range(grid.shape[0]) if grid[c, 0]
        for k in range(1, last_year - (y0 + c) + 1)
    ]
    table = pd.DataFrame(rows, columns=columns[:4])
    table = table.astype({"cohort_year": "int64", "years_after": "int64",
                          "cohort_donors": "Int64", "returned": "Int64"})
    table["retention_rate"] = (table["returned"] / table["cohort_donors"]).astype("Float64")
    end = to_date(data.end_day)
    year_complete = end.month == 12 and end.day == 31
    table["partial_year"] = (table["cohort_year"] + table["years_after"] == last_year) & (not year_complete)
    return table


def published_cohorts(data: Summary | pd.DataFrame, min_cell: int) -> disclosure.Safe:
    """`cohort_retention` through the small-cell rule: cells of fewer than `min_cell` returning
    donors hidden with their rate, small cohorts hidden whole, and cohort sizes (which add up
    to the donors figure) hidden in pairs so the total cannot give one back."""
    return disclosure.protect(
        cohort_retention(data), min_cell,
        {"returned": ["retention_rate"], "cohort_donors": ["returned", "retention_rate"]},
        additive={"cohort_donors": "cohort_year"},
    )


def frequency_table(donors: pd.DataFrame, min_cell: int) -> disclosure.Safe:
    """Donors by number of donations (1, 2, … 9, 10–14, … 30+), with shares; small cells blanked."""
    counts = donors.loc[donors["donations"] > 0, "donations"].to_numpy()
    edges = np.array(FREQ_BINS)
    cls = np.searchsorted(edges, counts, side="right") - 1
    n = np.bincount(cls, minlength=len(edges))
    labels = [
        str(lo) if hi - lo == 1 else f"{lo}–{hi - 1}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ] + [f"{edges[-1]}+"]
    table = pd.DataFrame({"donations": labels, "donors": n.astype("int64")})
    table["share"] = table["donors"] / max(counts.size, 1)
    table["ten_plus"] = edges >= 10
    return disclosure.protect(table, min_cell, {"donors": ["share"]}, additive={"donors": None})


def status_table(donors: pd.DataFrame, end_day: int, min_cell: int) -> disclosure.Safe:
    """Donor status at the end of the data (Malaysia's dashboard): new = one donation,
    within the past two years; regular = two or more, the last within two years;
    lapsed = last donation more than two years (730 days) before the end."""
    d = donors[donors["donations"] > 0]
    lapsed = (end_day - d["last_day"].to_numpy()) > LAPSE_DAYS
    new = ~lapsed & (d["donations"].to_numpy() == 1)
    regular = ~lapsed & ~new
    n = np.array([new.sum(), regular.sum(), lapsed.sum()], dtype=np.int64)
    table = pd.DataFrame({"status": list(STATUSES), "donors": n, "share": n / max(len(d), 1)})
    return disclosure.protect(table, min_cell, {"donors": ["share"]}, additive={"donors": None})


GROUP_COLUMNS = ["group", "donors", "donations", "visits_per_donor", "repeat_donor_share",
                 "deferral_rate", "suppressed"]


def group_table(data: Summary | pd.DataFrame, by: str, min_cell: int) -> disclosure.Safe:
    """Donors, donations, repeat share and deferral rate by `by` ("sex" or "age_band").

    Everyone who presented is placed by their first visit; deferral rate is
    deferred visits ÷ all visits of the group. Empty when the input lacks the column.
    """
    data = _summary(data)
    donors = data.donors
    if by not in donors:
        return disclosure.no_people(pd.DataFrame(columns=GROUP_COLUMNS))
    codes, names = _group_codes(donors[by])
    known = codes >= 0  # a missing sex or band is in no group
    codes = codes[known]
    donations = donors["donations"].to_numpy()[known]

    def total(weights=None) -> np.ndarray:
        return np.bincount(codes, weights, minlength=len(names)).astype(np.int64)

    present = total() > 0  # groups with anyone in them, in the order of `names`
    out = pd.DataFrame({
        "group": np.asarray(names, dtype=object)[present],
        "donors": total(donations > 0)[present],
        "donations": total(donations)[present],
        "repeat": total(donations >= 2)[present],
        "presentations": total(donors["presentations"].to_numpy()[known])[present],
    })
    out["visits_per_donor"] = out["donations"] / out["donors"].where(out["donors"] > 0)
    out["repeat_donor_share"] = out["repeat"] / out["donors"].where(out["donors"] > 0)
    out["deferral_rate"] = (1 - out["donations"] / out["presentations"]) if data.has_outcome else np.nan
    out = out.drop(columns=["repeat", "presentations"])
    hidden_with = ["donations", "visits_per_donor", "repeat_donor_share", "deferral_rate"]
    return disclosure.protect(out, min_cell, {"donors": hidden_with}, additive={"donors": None})


def _group_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """Each donor's group as a number (-1: none) and the groups' names: a categorical's own
    categories in their order (age bands), other values sorted (sex, as the file words it)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.cat.codes), list(column.cat.categories)
    codes, names = pd.factorize(column, sort=True)
    return codes, list(names)


def shown(safe: disclosure.Safe, lang: str) -> pd.DataFrame:
    """A published table as the reader sees it: numbers in their format, hidden cells as "<5"."""
    table, min_cell = disclosure.require(safe).frame, safe.min_cell
    out = pd.DataFrame(index=table.index)
    marks = ([disclosure.marker(c, min_cell) if hidden else ""
              for hidden, c in zip(table["suppressed"], table["complementary"], strict=True)]
             if "suppressed" in table else [""] * len(table))

    def cells(values, fmt):
        return [mark if pd.isna(v) else fmt(v) for v, mark in zip(values, marks, strict=True)]

    for col in table.columns:
        if col in ("suppressed", "complementary", "ten_plus", "partial_year"):
            continue
        s = table[col]
        if col in ("share", "retention_rate", "repeat_donor_share", "deferral_rate"):
            out[col] = cells(s, lambda v: i18n.fmt_pct(v, lang))
        elif col == "visits_per_donor":
            out[col] = cells(s, lambda v: i18n.fmt_num(v, lang, 2))
        elif col in ("donors", "returned", "cohort_donors", "donations") and pd.api.types.is_numeric_dtype(s):
            out[col] = cells(s, lambda v: i18n.fmt_int(v, lang))
        elif col == "status":
            out[col] = [i18n.t("ret_status_" + v, lang) for v in s]
        elif col == "group":
            out[col] = [group_label(v, lang) for v in s]
        else:
            out[col] = s.astype(str)
    if "partial_year" in table:
        out["retention_rate"] = [
            f"{v} ({i18n.t('ret_partial_short', lang)})" if p else v
            for v, p in zip(out["retention_rate"], table["partial_year"], strict=True)
        ]
    out.columns = [i18n.t("ret_col_" + c, lang) for c in out.columns]
    return out


def group_label(value: str, lang: str) -> str:
    key = {"M": "ret_sex_M", "F": "ret_sex_F", "other": "ret_other", "unknown": "ret_unknown"}.get(value)
    return i18n.t(key, lang) if key else str(value)
