"""The donor pool on a drive's dates: who of our own donors can give, and how many will.

Definitions (the contract's): on donations only (a deferred visit is no
donation) strictly before `as_of`, the pool is every donor with a donation;
eligible, a donor whose last donation is at least `min_interval_days` days
before `as_of`; active, one whose last donation is on or after `as_of` minus
`active_months` calendar months; lapsed, the pool less the active.

The campaign window runs from the later of the campaign's start and `as_of`
to its end. The expected returning donors come from the return model of the
retention report (`analysis.model.returns`): its Kaplan–Meier curve, fitted on
the visits before `as_of` only, read for each donor conditionally on the days
since their last donation, over the part of the window in which the donor may
give (from the day their wait ends). The sum of those chances is the
expectation; its interval is the Poisson-binomial spread of that sum (normal
approximation, `LEVEL`), which leaves out the curve's own estimation error.

The per-donor frame (`pool`) stays inside this module and the notebook's
memory: every table leaves through `disclosure.protect`, and the key figures
that count people are read from the protected status table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.inputs.published import Campaign
from analysis.model import campaign, disclosure, returns, scenario
from analysis.text import i18n

LEVEL = 0.9  # interval of the expected returning donors; the core report's default confidence
STATUSES = ("eligible_active", "waiting", "lapsed")
PHASES = ("eligible_at_start", "off_wait", "still_waiting")
GROUPS = ("site", "sex", "age_band")
GROUP_COLUMNS = ["group", "pool_donors", "eligible_active_donors", "eligible_active_share"]


@dataclass(frozen=True)
class Window:
    """The days of the campaign on which a pool donor can still give (both ends included)."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def days(self) -> int:
        return campaign.campaign_days(self.start, self.end)


def window_for(plan: Campaign, as_of: pd.Timestamp | None) -> Window | None:
    """From the later of the campaign's start and `as_of` to its end; None when unknown or over."""
    if as_of is None or plan.start_date is None or plan.end_date is None:
        return None
    start = max(plan.start_date.normalize(), as_of)
    end = plan.end_date.normalize()
    return Window(start, end) if start <= end else None


def _day(ts) -> np.ndarray | int:
    """Day numbers (days since 1970-01-01) of timestamps, as the return model counts them."""
    values = np.asarray(ts, dtype="datetime64[D]").astype(np.int64)
    return int(values) if values.ndim == 0 else values


# --------------------------------------------------------------------------- the pool


def _gave_before(visits: pd.DataFrame, day: int) -> np.ndarray:
    """Rows of the compact visits that are donations strictly before `day`."""
    return visits["donated"].to_numpy() & (visits["day"].to_numpy() < day)


def pool(visits: pd.DataFrame, as_of: pd.Timestamp, min_interval_days: int = 84,
         active_months: int = 24) -> pd.DataFrame:
    """One row per donor with a donation before `as_of`, without the donor's id.

    `visits` is `returns.compact`'s frame. Columns: last (date of the last donation), since
    (days from it to as_of), eligible, active, status (eligible_active, waiting,
    lapsed), eligible_from (the day the wait ends), and where the file has them
    site (of the last donation), sex and age_band (age in the year of as_of; sex
    and birth year are the donor's, from their first row in the file, as the
    retention report reads them); "unknown" when blank.
    """
    if min_interval_days < 1 or active_months < 1:
        raise ValueError("min_interval_days and active_months must be at least 1")
    rows = np.flatnonzero(_gave_before(visits, _day(as_of)))
    donor = visits["donor"].to_numpy()[rows]
    last_rows = rows[np.r_[donor[1:] != donor[:-1], True]] if rows.size else rows  # sorted by day
    last_day = visits["day"].to_numpy()[last_rows].astype(np.int64)
    out = pd.DataFrame({"last": last_day.astype("datetime64[D]").astype("datetime64[ns]")})
    out["since"] = _day(as_of) - last_day
    out["eligible"] = out["since"] >= min_interval_days
    out["active"] = out["last"] >= as_of - pd.DateOffset(months=active_months)
    out["status"] = np.select([out["eligible"] & out["active"], out["active"]], STATUSES[:2], STATUSES[2])
    out["eligible_from"] = out["last"] + pd.Timedelta(days=min_interval_days)
    for name in ("site", "sex"):
        if name in visits:
            words = pd.Series(visits[name].array.take(last_rows)).astype("string")
            out[name] = words.fillna("unknown").to_numpy(dtype=object)
    if "birth_year" in visits:
        age = as_of.year - visits["birth_year"].to_numpy(dtype=float)[last_rows]
        out["age_band"] = returns.age_band(age)
    return out


def status_table(donors: pd.DataFrame, min_cell: int) -> disclosure.Safe:
    """The pool by status (eligible and active, active still waiting, lapsed), shares of the pool."""
    n = np.array([(donors["status"] == s).sum() for s in STATUSES], dtype=np.int64)
    table = pd.DataFrame({"status": list(STATUSES), "donors": n, "share": n / max(len(donors), 1)})
    return disclosure.protect(table, min_cell, {"donors": ["share"]}, additive={"donors": None})


def group_table(donors: pd.DataFrame, by: str, min_cell: int) -> disclosure.Safe:
    """Pool donors and those eligible and active, by `by` (site, sex or age_band).

    Both count columns add up to published key figures, so each is protected
    with its complement; a hidden pool count hides the row's other figures.
    Empty when the file lacks the column.
    """
    if by not in donors:
        return disclosure.no_people(pd.DataFrame(columns=GROUP_COLUMNS))
    keys = donors[by]
    frame = pd.DataFrame({"group": keys.astype("object").to_numpy(),
                          "ea": (donors["status"] == "eligible_active").to_numpy()})
    out = frame.groupby("group", sort=False).agg(pool_donors=("ea", "size"),
                                                  eligible_active_donors=("ea", "sum"))
    if isinstance(keys.dtype, pd.CategoricalDtype):  # every band shown, so no row's presence tells
        out = out.reindex(list(keys.cat.categories), fill_value=0)
    else:
        out = out.sort_index(key=lambda s: s.map(lambda v: (v == "unknown", str(v))))
    out = out.reset_index().astype({"pool_donors": "int64", "eligible_active_donors": "int64"})
    out["eligible_active_share"] = out["eligible_active_donors"] / out["pool_donors"]
    return disclosure.protect(
        out, min_cell,
        {"pool_donors": ["eligible_active_donors", "eligible_active_share"],
         "eligible_active_donors": ["eligible_active_share"]},
        additive={"pool_donors": None, "eligible_active_donors": None},
    )


def wait_tables(donors: pd.DataFrame, window: Window | None, min_cell: int
                ) -> tuple[disclosure.Safe, disclosure.Safe]:
    """When the pool comes off the wait, over the window.

    Returns (by_day, phases): donors whose wait ends on each day after the
    window's first (the chart), and the pool split into eligible on the first
    day, off the wait during the window, still waiting at its end (these add
    up to the pool). Empty tables without a window.
    """
    if window is None:
        empty = pd.DataFrame(columns=["date", "donors"])
        return disclosure.no_people(empty), disclosure.no_people(pd.DataFrame(columns=["phase", "donors"]))
    ends = donors["eligible_from"]
    days = pd.date_range(window.start + pd.Timedelta(days=1), window.end, freq="D")
    counts = ends.value_counts().reindex(days, fill_value=0)
    by_day = pd.DataFrame({"date": days, "donors": counts.to_numpy(dtype=np.int64)})
    n = np.array([(ends <= window.start).sum(), ((ends > window.start) & (ends <= window.end)).sum(),
                  (ends > window.end).sum()], dtype=np.int64)
    phases = pd.DataFrame({"phase": list(PHASES), "donors": n})
    return (disclosure.protect(by_day, min_cell, {"donors": []}, additive={"donors": None}),
            disclosure.protect(phases, min_cell, {"donors": []}, additive={"donors": None}))


# --------------------------------------------------------------------------- the return model


@dataclass(frozen=True)
class Returning:
    """Expected returning donors over the window: the sum of each donor's chance, and its interval."""

    expected: float
    low: float
    high: float
    level: float
    end_of_data: pd.Timestamp  # the curve is censored here: the day before as_of, or the file's last day


def expected_returning(visits: pd.DataFrame, donors: pd.DataFrame, as_of: pd.Timestamp,
                       window: Window | None, level: float = LEVEL) -> Returning | None:
    """Donors expected to give during the window, from the return curve fitted before `as_of`
    (`visits`: `returns.compact`'s frame)."""
    if window is None or donors.empty:
        return None
    day = visits["day"].to_numpy()
    before = visits[day < _day(as_of)]
    # followed to the day before as_of, or to the file's last day when it stops sooner
    end_day = min(_day(as_of) - 1, int(day.max()))
    km = returns.return_curve(returns.per_donor(before), end_day)
    last = _day(donors["last"].to_numpy())
    first = np.maximum(_day(window.start), _day(donors["eligible_from"].to_numpy()))
    p = returns.return_between(km, end_day - last, first - last, _day(window.end) - last)
    expected, sd = float(p.sum()), float(np.sqrt((p * (1 - p)).sum()))
    half = float(stats.norm.ppf(0.5 + level / 2)) * sd
    high = min(expected + half, float((p > 0).sum()))
    return Returning(expected, max(expected - half, 0.0), high, level, returns.to_date(end_day))


def visit_yield(visits: pd.DataFrame, as_of: pd.Timestamp, has_outcome: bool = True) -> float | None:
    """Donations ÷ visits before `as_of`: the file's own historical yield (None without outcomes)."""
    before = visits["day"].to_numpy() < _day(as_of)
    if not has_outcome or not before.any():
        return None
    return int(_gave_before(visits, _day(as_of)).sum()) / int(before.sum())


def observed_returning(visits: pd.DataFrame, as_of: pd.Timestamp, window: Window | None,
                       min_cell: int) -> disclosure.Safe | None:
    """Pool donors who did give during the window, when the file covers it (a check, not a forecast)."""
    day = visits["day"].to_numpy()
    if window is None or day.max() < _day(window.end):
        return None
    donor = visits["donor"].to_numpy()
    in_pool = np.zeros(int(donor.max()) + 1, dtype=bool)
    in_pool[donor[_gave_before(visits, _day(as_of))]] = True
    later = _gave_before(visits, _day(window.end) + 1) & (day >= _day(window.start))
    n = int(np.unique(donor[later & in_pool[donor]]).size)
    return disclosure.protect(pd.DataFrame({"donors": [n]}), min_cell, {"donors": []})


def core_registrations(plan: Campaign, totals: pd.DataFrame, yield_sessions: pd.DataFrame,
                       level: float = LEVEL) -> float | None:
    """Registrations the core report says the target needs for a `level` chance (all present)."""
    snapshot = campaign.snapshot_before(plan, totals)
    model = campaign.model_for(plan, snapshot, yield_sessions)
    if model is None or plan.target_units is None:
        return None
    needed = scenario.registrations_needed(model, plan.target_units, level, 1.0)
    return None if not np.isfinite(needed) else float(needed)


# --------------------------------------------------------------------------- key figures


def _cell(table: disclosure.Safe, key: str, value: str, column: str = "donors") -> int | None:
    frame = disclosure.require(table).frame
    if frame.empty:
        return None
    v = frame.loc[frame[key] == value, column].iloc[0]
    return None if pd.isna(v) else int(v)


def key_figures(donors: pd.DataFrame | None, status: disclosure.Safe, plan: Campaign,
                as_of: pd.Timestamp | None, window: Window | None, ret: Returning | None,
                yield_used: float | None, observed: disclosure.Safe | None,
                registrations: float | None) -> dict:
    """The donor_pool key figures under the contract's names, and a few more.

    Counts of people come from the protected status table: a hidden status is
    None here too, and so is any figure that would give it back.
    """
    ea, waiting, lapsed = (_cell(status, "status", s) for s in STATUSES)
    n_pool = None if donors is None else len(donors)
    if n_pool is not None and n_pool < status.min_cell:
        n_pool = None
    eligible = None
    if donors is not None and ea is not None and lapsed is not None:
        eligible = int(donors["eligible"].sum())
    target = plan.target_units
    units = None if ret is None else (1.0 if yield_used is None else yield_used)

    def short(n: float | None) -> float | None:
        return None if n is None or target is None else max(float(target) - n * units, 0.0)

    seen = None if observed is None else observed.frame["donors"].iloc[0]
    return {
        "as_of": None if as_of is None else as_of.date().isoformat(),
        "pool_donors": n_pool,
        "eligible_donors": eligible,
        "active_donors": None if ea is None or waiting is None else ea + waiting,
        "eligible_active_donors": ea,
        "lapsed_donors": lapsed,
        "waiting_donors": waiting,
        "expected_returning_donors": None if ret is None else ret.expected,
        "expected_returning_donors_low": None if ret is None else ret.low,
        "expected_returning_donors_high": None if ret is None else ret.high,
        "target_units": target,
        "yield_used": None if ret is None else units,
        "newcomers_needed": short(None if ret is None else ret.expected),
        "newcomers_needed_low": short(None if ret is None else ret.high),
        "newcomers_needed_high": short(None if ret is None else ret.low),
        "window_start": None if window is None else window.start.date().isoformat(),
        "window_end": None if window is None else window.end.date().isoformat(),
        "window_days": None if window is None else window.days,
        "observed_returning_donors": None if seen is None or pd.isna(seen) else int(seen),
        "core_registrations_needed": registrations,
    }


@dataclass(frozen=True)
class PoolReport:
    """Everything the notebook shows: key figures and protected tables only (no per-donor frame)."""

    figs: dict
    status: disclosure.Safe
    groups: dict[str, disclosure.Safe]
    by_day: disclosure.Safe
    phases: disclosure.Safe
    window: Window | None
    returning: Returning | None
    has_outcome: bool


def report(data: dict, min_interval_days: int = 84, active_months: int = 24, min_cell: int = 5) -> PoolReport:
    """The whole report from what `inputs.read` returns; the per-donor frame is dropped here."""
    plan, as_of = data["plan"], data["as_of"]
    window = window_for(plan, as_of)
    registrations = core_registrations(plan, data["totals"], data["yield_sessions"])
    visits = returns.compact(data["visits"])
    has_outcome = bool(visits.attrs.get("has_outcome", True))
    if as_of is None:
        empty = disclosure.no_people(pd.DataFrame(columns=["status", "donors", "share"]))
        by_day, phases = wait_tables(pd.DataFrame(), None, min_cell)
        figs = key_figures(None, empty, plan, None, None, None, None, None, registrations)
        figs["data_end"] = None
        groups = {by: group_table(pd.DataFrame(), by, min_cell) for by in GROUPS}
        return PoolReport(figs, empty, groups, by_day, phases, None, None, has_outcome)
    donors = pool(visits, as_of, min_interval_days, active_months)
    status = status_table(donors, min_cell)
    by_day, phases = wait_tables(donors, window, min_cell)
    ret = expected_returning(visits, donors, as_of, window)
    figs = key_figures(donors, status, plan, as_of, window, ret, visit_yield(visits, as_of, has_outcome),
                       observed_returning(visits, as_of, window, min_cell), registrations)
    figs["data_end"] = returns.to_date(visits["day"].max()).date().isoformat()
    groups = {by: group_table(donors, by, min_cell) for by in GROUPS}
    return PoolReport(figs, status, groups, by_day, phases, window, ret, has_outcome)


def sources(plan: Campaign, table: pd.DataFrame) -> pd.DataFrame:
    """The published sources of the campaign's figures (those the sources table holds)."""
    known = [s for s in plan.source_ids if s in set(table["source_id"])]
    return table.set_index("source_id").loc[known].reset_index()


# --------------------------------------------------------------------------- for the reader


def shown(safe: disclosure.Safe, lang: str, by: str | None = None) -> pd.DataFrame:
    """A published table as the reader sees it: numbers in their format, hidden cells as "<5" or "x".

    `by` names what the `group` column holds (site, sex, age_band), for its header.
    """
    table, min_cell = disclosure.require(safe).frame, safe.min_cell
    marks = ([disclosure.marker(c, min_cell) if hidden else ""
              for hidden, c in zip(table["suppressed"], table["complementary"], strict=True)]
             if "suppressed" in table else [""] * len(table))

    def cells(values, fmt):
        return [mark if pd.isna(v) else fmt(v) for v, mark in zip(values, marks, strict=True)]

    out = pd.DataFrame(index=table.index)
    for col in table.columns:
        if col in ("suppressed", "complementary"):
            continue
        s = table[col]
        if col.endswith("share"):
            out[col] = cells(s, lambda v: i18n.fmt_pct(v, lang))
        elif col.endswith("donors"):
            out[col] = cells(s, lambda v: i18n.fmt_int(v, lang))
        elif col == "status":
            out[col] = [i18n.t("pool_status_" + v, lang) for v in s]
        elif col == "date":
            out[col] = [i18n.fmt_date(v, lang) for v in s]
        else:
            out[col] = [group_label(v, lang) for v in s]
    out.columns = [i18n.t("pool_by_" + by if c == "group" and by else "pool_col_" + c, lang)
                   for c in out.columns]
    return out


def group_label(value: object, lang: str) -> str:
    key = {"M": "pool_sex_M", "F": "pool_sex_F", "other": "pool_other", "unknown": "pool_unknown"}.get(
        str(value))
    return i18n.t(key, lang) if key else str(value)
