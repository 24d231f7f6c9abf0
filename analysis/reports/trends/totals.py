"""Which region of a file is the total of the others, and how it was found.

- A region named as a total (Total, Tổng, Tổng cộng, Cả nước, Toàn quốc, National,
  All) is the total row: rule "name".
- So is a region named as a country (Malaysia, Việt Nam...) when no other region is
  one and it is at least as large as each of the others on most dates: rule "country".
- Otherwise a region whose figure matches the sum of all the others within TOLERANCE
  (0.5%) on at least SHARE (95%) of the dates they share is the total: rule "sum".
  One state's figure off by one on one day of thousands leaves it the total, so it
  is never added to its parts.

How close the match is (the share of dates within the tolerance, the largest gap)
is measured whichever rule found the row, and the report says both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from analysis.inputs.schema import folded_key

TOLERANCE = 0.005  # a total matches the sum of the others within half a percent...
SHARE = 0.95  # ...on at least this share of the dates
TOTAL_NAMES = {"total", "tong", "tongcong", "tongso", "canuoc", "toanquoc", "national", "all",
               "nationwide", "grandtotal", "whole country", "toanbo", "tatca"}


@dataclass(frozen=True)
class TotalRow:
    """The total region, the rule that found it, and how closely it matches the others' sum."""

    region: str
    rule: str  # "name", "country" or "sum"
    share: float | None  # share of the dates where it is within TOLERANCE of the others' sum
    gap: float | None  # the largest gap, as a share of the total's figure
    dates: int  # dates compared


@cache
def _countries() -> frozenset[str]:
    from babel import Locale

    names = set()
    for lang in ("en", "vi"):
        names |= {folded_key(name) for code, name in Locale.parse(lang).territories.items()
                  if code.isalpha()}
    return frozenset(names | {"vietnam", "malaysia"})


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Donations per date (rows) and region (columns); NaN where a region has no row."""
    return frame.pivot_table(index="date", columns="region", values="donations", aggfunc="sum",
                             observed=True).astype("float64")


def closeness(table: pd.DataFrame, region: str) -> tuple[float | None, float | None, int]:
    """(share of dates within TOLERANCE, largest gap, dates compared) of `region` against the
    sum of the other regions, on the dates where both have a figure and it is above 0."""
    own = table[region]
    others = table.drop(columns=[region]).sum(axis=1, min_count=1)
    usable = own.notna() & others.notna() & (own > 0)
    if not usable.any():
        return None, None, 0
    gap = (own[usable] - others[usable]).abs() / own[usable]
    return float((gap <= TOLERANCE).mean()), float(gap.max()), int(usable.sum())


def find(frame: pd.DataFrame) -> TotalRow | None:
    """The total row of a frame with a region column, or None (see the module's rules)."""
    if "region" not in frame or frame["region"].nunique() < 2:
        return None
    table = wide(frame)
    table.columns = [str(c) for c in table.columns]
    names = {r: folded_key(r) for r in table.columns}
    named = [r for r, key in names.items() if key in TOTAL_NAMES]
    if len(named) == 1:
        return TotalRow(named[0], "name", *closeness(table, named[0]))
    countries = [r for r, key in names.items() if key in _countries()]
    if len(countries) == 1 and len(table.columns) >= 2:
        region = countries[0]
        own, rest = table[region], table.drop(columns=[region]).max(axis=1)
        both = own.notna() & rest.notna()
        if both.any() and float((own[both] >= rest[both]).mean()) >= SHARE:
            return TotalRow(region, "country", *closeness(table, region))
    if len(table.columns) < 3:
        return None  # two regions: one cannot be the sum of "the others" by chance alone
    best = None
    for region in table.columns:
        if not (table[region] > 0).any():
            continue
        share, gap, dates = closeness(table, region)
        if share is not None and share >= SHARE and (best is None or share > best.share):
            best = TotalRow(region, "sum", share, gap, dates)
    return best


def shares_to_words(row: TotalRow | None) -> dict:
    """The figures a sentence about the total row needs."""
    if row is None:
        return {"total_rule": None, "total_share": None, "total_gap": None, "tolerance": TOLERANCE}
    return {"total_rule": row.rule, "total_share": row.share, "total_gap": row.gap,
            "tolerance": TOLERANCE}
