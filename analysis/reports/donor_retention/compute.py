"""Donor retention from visit records (one row a donor visit).

Definitions are the contract's (see the donor_retention notebook): a visit whose
outcome is "deferred" is no donation; donors are the people with at least one
donation; gaps are between a donor's consecutive donations; return within
N months is a Kaplan–Meier estimate from the first donation to the second,
censored at the last date in the data.

Built for ten million visits on a small machine: `prepare` turns the loaded
frame into a compact one (an int32 donor key in place of the id, int32 day
numbers, a bool for "donated"), sorted by donor and day once, so that every
per-donor figure afterwards is a linear pass over numpy arrays. Donor ids are
dropped there and never reach a table, a figure or a printed line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.text import i18n
from analysis.inputs import identifiers, pseudonyms
from analysis.model import disclosure

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

LAPSE_DAYS = 730  # "lapsed": last donation more than 2 years before the end of the data
YEAR_DAYS = (365, 730)  # return within 12 / 24 months
STATUSES = ("new", "regular", "lapsed")
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 60))
FREQ_BINS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30)  # lower edges of the frequency classes
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
    both taken from the donor's first row in the file. Ties of the same donor
    on the same day put donations before deferrals.
    `attrs["has_outcome"]` says whether the input had an outcome column.
    """
    if visits.empty:
        raise DataError("the visits file holds no visit")
    codes = _donor_codes(visits["donor_id"])
    if (codes < 0).any():
        raise DataError(f"{int((codes < 0).sum())} visits have no donor_id")
    dates = visits["visit_date"]
    if dates.dtype != "datetime64[ns]":
        dates = pd.to_datetime(dates)
    dates = dates.to_numpy(dtype="datetime64[ns]")
    day = dates.view(np.int64) // _NS_PER_DAY
    has_outcome = "outcome" in visits
    deferred = np.zeros(len(codes), dtype=np.int64)
    if has_outcome:
        # text is cleaned on the few distinct values, not on millions of rows
        codes_o, values = pd.factorize(visits["outcome"])
        is_deferred = np.array([str(v).strip().lower() == "deferred" for v in values] + [False])
        deferred = is_deferred[codes_o].astype(np.int64)  # code -1 (missing) -> last: donated
    # one int64 key (donor | day | deferred) sorted in place of a three-key lexsort: ~15x faster
    first_day = day.min()
    if day.max() - first_day >= 1 << 30:
        raise DataError("visit dates span more than a million years")
    key = (codes.astype(np.int64) << 31) | ((day - first_day) << 1) | deferred
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
        names = [_SEX.get(str(v).strip().lower(), str(v).strip()) for v in values]
        cats = list(dict.fromkeys(names))
        remap = np.array([cats.index(n) for n in names] + [-1], dtype=np.int16)
        per_donor_sex = remap[codes_s[first_rows]]
        out["sex"] = pd.Categorical.from_codes(per_donor_sex[out["donor"]], categories=cats)
    if "birth_year" in visits:
        years = pd.to_numeric(visits["birth_year"].take(first_rows), errors="coerce").to_numpy(
            dtype=np.float32, na_value=np.nan)
        out["birth_year"] = years[out["donor"]]
    frame = pd.DataFrame(out, copy=False)
    frame.attrs["has_outcome"] = has_outcome
    return frame


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


def _years(day: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (a lookup table over the span: fast on millions)."""
    day = np.asarray(day)
    if day.size == 0:
        return np.zeros(0, dtype=np.int32)
    lo, hi = int(day.min()), int(day.max())
    span = np.arange(lo, hi + 1, dtype=np.int64)
    table = span.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970
    return table[day - lo]


def _segments(donor: np.ndarray) -> np.ndarray:
    """Positions where a new donor starts in a donor-sorted array."""
    if donor.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, donor[1:] != donor[:-1]])


def _ensure_sorted(visits: pd.DataFrame) -> pd.DataFrame:
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
    visits = _ensure_sorted(visits)
    donor, day, donated = (visits[c].to_numpy() for c in ("donor", "day", "donated"))
    starts = _segments(donor)
    people = donor[starts]
    frame = pd.DataFrame(index=pd.Index(people, name="donor"))
    frame["presentations"] = np.diff(np.r_[starts, donor.size])
    frame["first_visit_day"] = day[starts]
    d_donor, d_day = donor[donated], day[donated]
    d_starts = _segments(d_donor)
    counts = np.diff(np.r_[d_starts, d_donor.size])
    second = np.where(counts >= 2, d_day[np.minimum(d_starts + 1, max(d_day.size - 1, 0))], NONE)
    last = d_day[np.r_[d_starts[1:], d_day.size] - 1] if d_day.size else d_day
    pos = np.searchsorted(people, d_donor[d_starts])
    frame["donations"] = 0
    frame.iloc[pos, frame.columns.get_loc("donations")] = counts
    for name, values in (("first_day", d_day[d_starts]), ("second_day", second), ("last_day", last)):
        col = np.full(people.size, NONE, dtype=np.int32)
        col[pos] = values
        frame[name] = col
    if "sex" in visits:
        frame["sex"] = _values_at(visits["sex"], starts)
    if "birth_year" in visits:
        age = _years(day[starts]) - visits["birth_year"].to_numpy()[starts]
        frame["age_band"] = age_band(age)
    return frame


def age_band(age: np.ndarray) -> pd.Categorical:
    """Age at first visit in the bands of Vietnam's donor ages (18–60); others 'other', NaN 'unknown'."""
    labels = [f"{lo}–{hi}" for lo, hi in AGE_BANDS]
    codes = np.full(len(age), len(labels), dtype=np.int8)  # other
    codes[np.isnan(age)] = len(labels) + 1  # unknown
    for k, (lo, hi) in enumerate(AGE_BANDS):
        codes[(age >= lo) & (age <= hi)] = k
    return pd.Categorical.from_codes(codes, categories=[*labels, "other", "unknown"])


def _values_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """column.to_numpy()[rows], without turning a categorical of millions into objects first."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = np.append(column.cat.categories.to_numpy(dtype=object), np.nan)
        return values[np.asarray(column.cat.codes)[rows]]
    return column.to_numpy()[rows]


def donation_gaps(visits: pd.DataFrame) -> np.ndarray:
    """Days between each donor's consecutive donations (deferred visits skipped)."""
    visits = _ensure_sorted(visits)
    keep = visits["donated"].to_numpy()
    donor, day = visits["donor"].to_numpy()[keep], visits["day"].to_numpy()[keep]
    same = donor[1:] == donor[:-1]
    return (day[1:] - day[:-1])[same]


def time_to_second(donors: pd.DataFrame, end_day: int) -> pd.DataFrame:
    """Per donor: days from first donation to the second (returned) or to the end of the data."""
    d = donors[donors["donations"] > 0]
    returned = d["second_day"].to_numpy() != NONE
    stop = np.where(returned, d["second_day"].to_numpy(), end_day)
    return pd.DataFrame({"days": stop - d["first_day"].to_numpy(), "returned": returned}, index=d.index)


def return_curve(donors: pd.DataFrame, end_day: int) -> KaplanMeierFitter:
    """Kaplan–Meier fit of the time to the second donation (lifelines)."""
    from lifelines import KaplanMeierFitter

    t = time_to_second(donors, end_day)
    return KaplanMeierFitter(label="second donation").fit(t["days"], t["returned"])


def return_within(km: KaplanMeierFitter, days: int) -> float:
    """Probability of a second donation within `days` days of the first (events on day `days` count)."""
    return float(1.0 - km.survival_function_at_times([days]).iloc[0])


# --------------------------------------------------------------------------- key figures


def key_figures(
    visits: pd.DataFrame,
    min_interval_days: int = 84,
    donors: pd.DataFrame | None = None,
    km: KaplanMeierFitter | None = None,
) -> dict[str, float | int | str | None]:
    """The donor_retention key figures under the contract's names, and a few more."""
    if min_interval_days <= 0:
        raise DataError(f"min_interval_days must be positive, got {min_interval_days}")
    donors = per_donor(visits) if donors is None else donors
    end_day = int(visits["day"].max())
    givers = donors.loc[donors["donations"] > 0, "donations"]
    n_donors, n_donations = int(givers.size), int(givers.sum())
    gaps = donation_gaps(visits)
    km = return_curve(donors, end_day) if km is None and n_donors else km
    deferred = int((~visits["donated"]).sum())
    has_outcome = bool(visits.attrs.get("has_outcome", True))

    def share(part, whole):
        return float(part) / whole if whole else None

    return {
        "donors": n_donors,
        "visits": n_donations,
        "visits_per_donor": share(n_donations, n_donors),
        "repeat_donor_share": share((givers >= 2).sum(), n_donors),
        "share_10_plus": share((givers >= 10).sum(), n_donors),
        "median_return_days": float(np.median(gaps)) if gaps.size else None,
        "share_returns_under_min_interval": share((gaps < min_interval_days).sum(), gaps.size),
        "return_within_12m": return_within(km, YEAR_DAYS[0]) if km is not None else None,
        "return_within_24m": return_within(km, YEAR_DAYS[1]) if km is not None else None,
        "deferral_rate": share(deferred, len(visits)) if has_outcome else None,
        "deferred_visits": deferred if has_outcome else None,
        "presentations": int(len(visits)),
        "returns": int(gaps.size),
        "returns_under_min_interval": int((gaps < min_interval_days).sum()),
        "first_date": to_date(visits["day"].min()).date().isoformat(),
        "last_date": to_date(end_day).date().isoformat(),
        "max_donations": int(givers.max()) if n_donors else None,
    }


# --------------------------------------------------------------------------- tables


def cohort_retention(visits: pd.DataFrame) -> pd.DataFrame:
    """Cohort × years-after retention (the contract's tables/cohort_retention.csv).

    cohort_year: year of a donor's first donation; for years_after = 1 up to the
    last year in the data, returned = cohort donors with at least one donation
    in calendar year cohort_year + years_after. Deferred visits count for
    neither. partial_year marks cells whose calendar year the data does not
    cover to 31 December.
    """
    visits = _ensure_sorted(visits)
    keep = visits["donated"].to_numpy()
    donor, day = visits["donor"].to_numpy()[keep], visits["day"].to_numpy()[keep]
    last_day = int(visits["day"].max())
    last_year = int(_years(np.array([last_day]))[0])
    columns = ["cohort_year", "years_after", "cohort_donors", "returned", "retention_rate", "partial_year"]
    if donor.size == 0:
        return pd.DataFrame(columns=columns)
    year = _years(day)
    starts = _segments(donor)
    first_year = year[starts]
    y0 = int(first_year.min())
    span = last_year - y0 + 1
    sizes = np.bincount(first_year - y0, minlength=span)
    # one row per (donor, calendar year): the arrays are sorted by donor then day
    new_year = np.r_[True, (donor[1:] != donor[:-1]) | (year[1:] != year[:-1])]
    seg = np.cumsum(np.r_[True, donor[1:] != donor[:-1]]) - 1
    cy = first_year[seg[new_year]] - y0
    after = year[new_year] - first_year[seg[new_year]]
    grid = np.bincount(cy * span + after, minlength=span * span).reshape(span, span)
    rows = [
        (y0 + c, k, int(sizes[c]), int(grid[c, k]))
        for c in range(span) if sizes[c]
        for k in range(1, last_year - (y0 + c) + 1)
    ]
    table = pd.DataFrame(rows, columns=columns[:4])
    table = table.astype({"cohort_year": "int64", "years_after": "int64",
                          "cohort_donors": "Int64", "returned": "Int64"})
    table["retention_rate"] = (table["returned"] / table["cohort_donors"]).astype("Float64")
    year_complete = to_date(last_day).month == 12 and to_date(last_day).day == 31
    table["partial_year"] = (table["cohort_year"] + table["years_after"] == last_year) & (not year_complete)
    return table


def cohort_sizes(donors: pd.DataFrame) -> pd.Series:
    """Donors by the year of their first donation (including the last year, which has no cells)."""
    d = donors[donors["donations"] > 0]
    return pd.Series(_years(d["first_day"].to_numpy()), index=d.index).value_counts().sort_index()


def suppress(
    table: pd.DataFrame, min_cell: int, count: str, rates: tuple[str, ...] = (), base: str | None = None
) -> pd.DataFrame:
    """Blank cells of fewer than `min_cell` people before a table is published.

    A cell is suppressed when `count` < min_cell (and its `rates` with it,
    since a rate and its base give the count back); when `base` < min_cell
    the base is blanked too. Adds a `suppressed` boolean column.
    """
    # An empty count hides its rates too (a rate without its count is no safer).
    hidden = {count: [count, *rates]}
    if base:
        hidden[base] = [base, count, *rates]
    out = disclosure.suppress_small(table.assign(**{count: table[count].fillna(0)}), min_cell, hidden)
    out["suppressed"] = out[count].isna().to_numpy(dtype=bool)
    return out


def frequency_table(donors: pd.DataFrame, min_cell: int) -> pd.DataFrame:
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
    return suppress(table, min_cell, "donors", ("share",))


def status_table(donors: pd.DataFrame, end_day: int, min_cell: int) -> pd.DataFrame:
    """Donor status at the end of the data (Malaysia's dashboard): new = one donation,
    within the past two years; regular = two or more, the last within two years;
    lapsed = last donation more than two years (730 days) before the end."""
    d = donors[donors["donations"] > 0]
    lapsed = (end_day - d["last_day"].to_numpy()) > LAPSE_DAYS
    new = ~lapsed & (d["donations"].to_numpy() == 1)
    regular = ~lapsed & ~new
    n = np.array([new.sum(), regular.sum(), lapsed.sum()], dtype=np.int64)
    table = pd.DataFrame({"status": list(STATUSES), "donors": n, "share": n / max(len(d), 1)})
    return suppress(table, min_cell, "donors", ("share",))


GROUP_COLUMNS = ["group", "donors", "donations", "visits_per_donor", "repeat_donor_share",
                 "deferral_rate", "suppressed"]


def group_table(visits: pd.DataFrame, donors: pd.DataFrame, by: str, min_cell: int) -> pd.DataFrame:
    """Donors, donations, repeat share and deferral rate by `by` ("sex" or "age_band").

    Everyone who presented is placed by their first visit; deferral rate is
    deferred visits ÷ all visits of the group. Empty when the input lacks the column.
    """
    if by not in donors:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    group = donors[by].astype("object")
    frame = pd.DataFrame({
        "group": group.to_numpy(),
        "presentations": donors["presentations"].to_numpy(),
        "donations": donors["donations"].to_numpy(),
    })
    frame["donor"] = frame["donations"] > 0
    frame["repeat"] = frame["donations"] >= 2
    out = frame.groupby("group", sort=False).agg(
        donors=("donor", "sum"), donations=("donations", "sum"), repeat=("repeat", "sum"),
        presentations=("presentations", "sum"),
    )
    if isinstance(donors[by].dtype, pd.CategoricalDtype):
        out = out.reindex([c for c in donors[by].cat.categories if c in out.index])
    else:
        out = out.sort_index()
    out = out.reset_index()
    out["visits_per_donor"] = out["donations"] / out["donors"].where(out["donors"] > 0)
    out["repeat_donor_share"] = out["repeat"] / out["donors"].where(out["donors"] > 0)
    has_outcome = bool(visits.attrs.get("has_outcome", True))
    out["deferral_rate"] = (1 - out["donations"] / out["presentations"]) if has_outcome else np.nan
    out = out.drop(columns=["repeat", "presentations"])
    return suppress(out, min_cell, "donors", ("visits_per_donor", "repeat_donor_share", "deferral_rate"))


def shown(table: pd.DataFrame, lang: str, min_cell: int, header: str | None = None) -> pd.DataFrame:
    """A published table as the reader sees it: numbers in their format, blanked cells as "<5"."""
    out = pd.DataFrame(index=table.index)
    hidden = f"<{min_cell}"
    for col in table.columns:
        if col in ("suppressed", "ten_plus", "partial_year"):
            continue
        s = table[col]
        if col in ("share", "retention_rate", "repeat_donor_share", "deferral_rate"):
            out[col] = [hidden if pd.isna(v) else i18n.fmt_pct(v, lang) for v in s]
        elif col == "visits_per_donor":
            out[col] = [hidden if pd.isna(v) else i18n.fmt_num(v, lang, 2) for v in s]
        elif col in ("donors", "returned", "cohort_donors", "donations") and pd.api.types.is_numeric_dtype(s):
            out[col] = [hidden if pd.isna(v) else i18n.fmt_int(v, lang) for v in s]
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


# --------------------------------------------------------------------------- the report's text


def story(figs: dict, donors: pd.DataFrame, status: pd.DataFrame, cohorts: pd.DataFrame,
          min_interval_days: int, min_cell: int, lang: str) -> dict[str, str]:
    """The report's text, section by section, in the reader's language and number format."""
    groups = "sex" in donors or "age_band" in donors
    f_int = lambda v: i18n.fmt_int(v, lang)  # noqa: E731
    f_pct = lambda v: i18n.fmt_pct(v, lang)  # noqa: E731
    st = status.set_index("status")
    first_rates = cohorts[(cohorts["years_after"] == 1) & ~cohorts["partial_year"]]["retention_rate"]
    defer = (
        i18n.t("ret_deferral", lang, rate=f_pct(figs["deferral_rate"]), n=f_int(figs["deferred_visits"]))
        if figs["deferral_rate"] is not None else i18n.t("ret_no_outcome", lang)
    )
    return {
        "title": i18n.t("ret_title", lang),
        "overview": i18n.t(
            "ret_overview", lang, start=i18n.fmt_date(pd.Timestamp(figs["first_date"]), lang),
            end=i18n.fmt_date(pd.Timestamp(figs["last_date"]), lang), donors=f_int(figs["donors"]),
            visits=f_int(figs["visits"]), per=i18n.fmt_num(figs["visits_per_donor"], lang, 2),
            repeat=f_pct(figs["repeat_donor_share"]), ten=f_pct(figs["share_10_plus"]),
            max=f_int(figs["max_donations"]), deferral=defer,
        ),
        "status": i18n.t(
            "ret_status", lang, new=_cell(st, "new", lang, min_cell),
            regular=_cell(st, "regular", lang, min_cell), lapsed=_cell(st, "lapsed", lang, min_cell),
            end=i18n.fmt_date(pd.Timestamp(figs["last_date"]), lang),
        ),
        "cohorts": i18n.t(
            "ret_cohorts", lang,
            low=f_pct(first_rates.min()) if first_rates.notna().any() else i18n.t("missing", lang),
            high=f_pct(first_rates.max()) if first_rates.notna().any() else i18n.t("missing", lang),
        ),
        "suppression": i18n.t("ret_suppression", lang, min_cell=min_cell),
        "return": i18n.t(
            "ret_return", lang, r12=f_pct(figs["return_within_12m"]), r24=f_pct(figs["return_within_24m"]),
        ),
        "gaps": i18n.t(
            "ret_gaps", lang, median=f_int(figs["median_return_days"]), min=f_int(min_interval_days),
            share=f_pct(figs["share_returns_under_min_interval"]),
            n=f_int(figs["returns_under_min_interval"]), returns=f_int(figs["returns"]),
        ),
        "groups": i18n.t("ret_groups" if groups else "ret_no_groups", lang),
        "key_figures": i18n.t("ret_key_figures", lang),
    }


def _cell(table: pd.DataFrame, status: str, lang: str, min_cell: int) -> str:
    n = table.loc[status, "donors"]
    if pd.isna(n):
        return f"<{min_cell}"
    return f"{i18n.fmt_int(n, lang)} ({i18n.fmt_pct(table.loc[status, 'share'], lang)})"


LABELS = {
    "ret_title": {"vi": "# Giữ chân người hiến máu", "en": "# Donor retention"},
    "ret_overview": {
        "vi": "## Tổng quan\n\nTừ {start} đến {end}: {donors} người đã hiến ít nhất một lần, tổng "
        "{visits} lần hiến, trung bình {per} lần mỗi người. {repeat} số người đã quay lại hiến lần thứ "
        "hai; {ten} đã hiến từ 10 lần trở lên (nhiều nhất {max} lần). {deferral}",
        "en": "## Overview\n\nFrom {start} to {end}: {donors} people gave blood at least once, "
        "{visits} donations in all, {per} per donor. {repeat} of donors came back for a second "
        "donation; {ten} gave 10 times or more (at most {max} times). {deferral}",
    },
    "ret_deferral": {
        "vi": "{n} lượt đến hiến bị hoãn (tỷ lệ hoãn {rate} số lượt); lượt bị hoãn không tính là "
        "lần hiến.",
        "en": "{n} visits ended in deferral ({rate} of all visits); a deferred visit is not "
        "counted as a donation.",
    },
    "ret_no_outcome": {
        "vi": "Tệp không có cột kết quả, nên mọi lượt được tính là lần hiến và không có tỷ lệ hoãn.",
        "en": "The file has no outcome column, so every visit counts as a donation and there is "
        "no deferral rate.",
    },
    "ret_frequency_note": {
        "vi": "Phân bố số lần hiến của mỗi người; các cột từ 10 lần trở lên được tô đậm.",
        "en": "How many times each donor gave; the classes of 10 donations or more are highlighted.",
    },
    "ret_status": {
        "vi": "## Tình trạng người hiến đến {end}\n\nTheo cách phân loại của bảng số liệu quốc gia "
        "Malaysia: **mới** (mới hiến một lần, trong 2 năm qua) {new}; **thường xuyên** (hiến từ "
        "hai lần, lần gần nhất trong 2 năm qua) {regular}; **đã ngừng** (lần hiến gần nhất cách "
        "đây hơn 2 năm, tức hơn 730 ngày) {lapsed}.",
        "en": "## Donor status at {end}\n\nAs Malaysia's national dashboard defines it: **new** "
        "(one donation, within the past two years) {new}; **regular** (two or more, the last "
        "within two years) {regular}; **lapsed** (last donation more than two years, 730 days, "
        "before the end of the data) {lapsed}.",
    },
    "ret_cohorts": {
        "vi": "## Giữ chân theo năm bắt đầu\n\nMỗi hàng là những người hiến lần đầu trong cùng một "
        "năm; mỗi ô là tỷ lệ trong số đó đã hiến ít nhất một lần trong năm thứ k sau đó. Một năm "
        "sau lần đầu, {low} đến {high} người quay lại (các năm đủ dữ liệu).",
        "en": "## Retention by first-donation year\n\nEach row holds the people whose first "
        "donation fell in one year; each cell is the share of them who gave at least once in "
        "the k-th calendar year after. One year on, {low} to {high} came back (complete years).",
    },
    "ret_suppression": {
        "vi": "*Quy tắc công bố:* ô có dưới {min_cell} người được ẩn (ghi \"<{min_cell}\"); trong "
        "các tệp CSV, số đếm và tỷ lệ của ô đó để trống và cột `suppressed` ghi True. Lượt bị "
        "hoãn không tính vào năm bắt đầu cũng như lần quay lại.",
        "en": "*Publication rule:* cells of fewer than {min_cell} people are hidden (shown as "
        "\"<{min_cell}\"); in the CSV files their count and rate are left empty and the "
        "`suppressed` column says True. Deferred visits count for neither the cohort nor a return.",
    },
    "ret_return": {
        "vi": "## Thời gian đến lần hiến thứ hai\n\nƯớc lượng Kaplan–Meier từ lần hiến đầu tiên đến "
        "lần thứ hai; người chưa quay lại được tính đến ngày cuối của dữ liệu (kiểm duyệt). "
        "Xác suất quay lại trong 12 tháng: {r12}; trong 24 tháng: {r24}.",
        "en": "## Time to the second donation\n\nKaplan–Meier estimate from the first donation "
        "to the second; donors who have not come back are followed to the last date in the data "
        "(censored). Chance of a second donation within 12 months: {r12}; within 24 months: {r24}.",
    },
    "ret_gaps": {
        "vi": "## Khoảng cách giữa hai lần hiến\n\nTrung vị {median} ngày. Quy định tối thiểu "
        "{min} ngày giữa hai lần hiến máu toàn phần; {n} trong {returns} lần quay lại ({share}) "
        "sớm hơn mức này: lỗi dữ liệu hoặc hiến gạn tách (cách nhau tối thiểu 2 tuần), cần kiểm tra.",
        "en": "## Gaps between donations\n\nMedian {median} days. Whole-blood donations must be "
        "at least {min} days apart; {n} of {returns} returns ({share}) came sooner: data errors "
        "or apheresis donations (2 weeks apart), worth checking.",
    },
    "ret_groups": {
        "vi": "## Theo giới tính và nhóm tuổi\n\nMỗi người được xếp theo lần đến hiến đầu tiên "
        "(tuổi = năm đến hiến − năm sinh). Tỷ lệ hoãn tính trên mọi lượt đến của nhóm.",
        "en": "## By sex and age band\n\nEach person is placed by their first visit (age = year "
        "of visit − birth year). Deferral rate is over all visits of the group.",
    },
    "ret_no_groups": {
        "vi": "Tệp không có giới tính hay năm sinh.",
        "en": "The file gives neither sex nor birth year.",
    },
    "ret_key_figures": {"vi": "## Các chỉ số chính", "en": "## Key figures"},
    "ret_status_new": {"vi": "Mới", "en": "New"},
    "ret_status_regular": {"vi": "Thường xuyên", "en": "Regular"},
    "ret_status_lapsed": {"vi": "Đã ngừng", "en": "Lapsed"},
    "ret_sex_M": {"vi": "Nam", "en": "Men"},
    "ret_sex_F": {"vi": "Nữ", "en": "Women"},
    "ret_other": {"vi": "Khác", "en": "Other"},
    "ret_unknown": {"vi": "Không rõ", "en": "Unknown"},
    "ret_partial_short": {"vi": "năm chưa trọn", "en": "part year"},
    "ret_col_donations": {"vi": "Số lần hiến", "en": "Donations"},
    "ret_col_donors": {"vi": "Số người hiến", "en": "Donors"},
    "ret_col_share": {"vi": "Tỷ lệ", "en": "Share"},
    "ret_col_status": {"vi": "Tình trạng", "en": "Status"},
    "ret_col_cohort_year": {"vi": "Năm hiến đầu", "en": "First-donation year"},
    "ret_col_years_after": {"vi": "Số năm sau", "en": "Years after"},
    "ret_col_cohort_donors": {"vi": "Số người", "en": "Cohort donors"},
    "ret_col_returned": {"vi": "Quay lại", "en": "Returned"},
    "ret_col_retention_rate": {"vi": "Tỷ lệ quay lại", "en": "Retention rate"},
    "ret_col_group": {"vi": "Nhóm", "en": "Group"},
    "ret_col_visits_per_donor": {"vi": "Lần hiến/người", "en": "Donations per donor"},
    "ret_col_repeat_donor_share": {"vi": "Tỷ lệ hiến lặp lại", "en": "Repeat donors"},
    "ret_col_deferral_rate": {"vi": "Tỷ lệ hoãn", "en": "Deferral rate"},
    # figures
    "ret_chart_freq_title": {
        "vi": "Số người hiến theo số lần đã hiến", "en": "Donors by number of donations"},
    "ret_chart_freq_x": {"vi": "Số lần hiến của mỗi người", "en": "Donations per donor"},
    "ret_chart_donors": {"vi": "Số người hiến", "en": "Donors"},
    "ret_chart_ten_plus": {"vi": "10 lần trở lên: {share}", "en": "10 or more: {share}"},
    "ret_chart_status_title": {
        "vi": "Tình trạng người hiến đến {end}", "en": "Donor status at {end}"},
    "ret_chart_cohort_title": {
        "vi": "Tỷ lệ quay lại hiến theo năm hiến đầu tiên",
        "en": "Share of each first-donation year who gave again, by years after"},
    "ret_chart_cohort_x": {"vi": "Số năm sau năm hiến đầu", "en": "Years after the first donation"},
    "ret_chart_cohort_y": {"vi": "Năm hiến đầu (số người)", "en": "First-donation year (donors)"},
    "ret_chart_cohort_note": {
        "vi": "Ô xám: dưới {min_cell} người, đã ẩn. *: năm chưa trọn.",
        "en": "Grey: fewer than {min_cell} people, hidden. *: part year."},
    "ret_chart_km_title": {
        "vi": "Xác suất đã quay lại hiến lần thứ hai (Kaplan–Meier)",
        "en": "Chance of having given a second time (Kaplan–Meier)"},
    "ret_chart_km_x": {"vi": "Số ngày kể từ lần hiến đầu", "en": "Days since the first donation"},
    "ret_chart_km_y": {"vi": "Đã quay lại", "en": "Returned"},
    "ret_chart_km_ci": {"vi": "khoảng tin cậy 95%", "en": "95% confidence band"},
    "ret_chart_km_at": {"vi": "{months} tháng: {p}", "en": "{months} months: {p}"},
    "ret_chart_gap_title": {
        "vi": "Khoảng cách giữa hai lần hiến liên tiếp", "en": "Days between consecutive donations"},
    "ret_chart_gap_x": {"vi": "Số ngày (đến 3 năm)", "en": "Days (up to 3 years)"},
    "ret_chart_gap_y": {"vi": "Số lần quay lại", "en": "Returns"},
    "ret_chart_gap_min": {
        "vi": "Tối thiểu {days} ngày; sớm hơn: {share}",
        "en": "Minimum {days} days; sooner: {share}"},
    "ret_chart_gap_more": {
        "vi": "Thêm {n} lần quay lại sau hơn 3 năm (không vẽ)",
        "en": "{n} more returns after over 3 years (not drawn)"},
    "ret_chart_groups_title": {
        "vi": "Tỷ lệ hiến lặp lại và tỷ lệ hoãn theo nhóm",
        "en": "Repeat donors and deferral by group"},
    "ret_chart_sex": {"vi": "Giới tính", "en": "Sex"},
    "ret_chart_age": {"vi": "Nhóm tuổi khi đến hiến lần đầu", "en": "Age band at first visit"},
}
i18n.register(LABELS)
