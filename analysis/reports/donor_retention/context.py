"""What each section of the donor_retention report says: small contexts for its templates.

Every context is built from the key figures (whole-file aggregates) and from
tables that passed the small-cell rule (`disclosure.Safe`), never from a raw
frame, so no hidden cell can reach a sentence.
"""

from __future__ import annotations

import pandas as pd

from analysis.model import disclosure


def overview(figs: dict) -> dict:
    return {
        "start": pd.Timestamp(figs["first_date"]), "end": pd.Timestamp(figs["last_date"]),
        "donors": figs["donors"], "visits": figs["visits"], "per_donor": figs["visits_per_donor"],
        "repeat_share": figs["repeat_donor_share"], "ten_plus_share": figs["share_10_plus"],
        "most": figs["max_donations"], "deferral_rate": figs["deferral_rate"],
        "deferred": figs["deferred_visits"],
    }


def status(table: disclosure.Safe, end: pd.Timestamp) -> dict:
    """The donors and share of each status, None where the cell is hidden."""
    frame = disclosure.require(table).frame.set_index("status")

    def cell(name: str) -> dict:
        donors = frame.loc[name, "donors"]
        return {"donors": None if pd.isna(donors) else int(donors), "share": frame.loc[name, "share"]}

    return {"end": end, "min_cell": table.min_cell,
            **{name: cell(name) for name in ("new", "regular", "lapsed")}}


def cohorts(table: disclosure.Safe) -> dict:
    """The range of retention one year on, over complete years whose cell is published."""
    frame = disclosure.require(table).frame
    complete = (frame["years_after"] == 1) & ~frame["partial_year"].astype(bool)
    first = frame.loc[complete, "retention_rate"].dropna()
    if first.empty:
        return {"low": None, "high": None}
    return {"low": float(first.min()), "high": float(first.max())}


def returns(figs: dict) -> dict:
    return {"within_12m": figs["return_within_12m"], "within_24m": figs["return_within_24m"]}


def gaps(figs: dict, min_interval_days: int) -> dict:
    return {"median_days": figs["median_return_days"], "min_interval_days": min_interval_days,
            "early": figs["returns_under_min_interval"], "returns": figs["returns"],
            "early_share": figs["share_returns_under_min_interval"]}


def key_findings(figs: dict, status_table: disclosure.Safe, cohort_table: disclosure.Safe,
                 min_interval_days: int) -> dict:
    """The key-findings box: the whole-file figures, and the status shares and first-year
    retention only as the published (suppressed) tables give them: a hidden status reads as
    unknown, and the retention range leaves hidden cohorts out."""
    shares = status(status_table, pd.Timestamp(figs["last_date"]))
    known = {name: None if shares[name]["donors"] is None else float(shares[name]["share"])
             for name in ("regular", "lapsed")}
    return {**overview(figs), **returns(figs), **cohorts(cohort_table), **known,
            "early": figs["returns_under_min_interval"],
            "early_share": figs["share_returns_under_min_interval"],
            "min_interval_days": min_interval_days}


def groups(by_sex: disclosure.Safe, by_age: disclosure.Safe) -> dict:
    return {"has_groups": bool(len(disclosure.require(by_sex)) or len(disclosure.require(by_age)))}
