"""Disclosure control: counts of fewer than `min_cell` people are hidden before any output.

This is the one door every table of a report passes. `protect` hides the small
cells (primary suppression) and, where the cells of a column add up to a total
that is published elsewhere (a key figure, a cohort size), enough other cells
that no total gives a hidden one back (complementary suppression). It returns a
`Safe` table; the Recorder writes, shows and charts only `Safe` tables, and the
text of a report is built from them, so an unprotected frame cannot reach a
reader by accident. `no_people` declares a table that counts no people (units
of blood per site) and so needs no suppression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# ------------------------------------------------------------ small cells


def _count_columns(counts: pd.DataFrame, columns) -> dict[str, list[str]]:
    """Count column -> columns hidden with it (itself first)."""
    if columns is None:
        columns = list(counts.columns)
    elif isinstance(columns, str):
        columns = [columns]
    if isinstance(columns, Mapping):
        spec = {c: [c, *([deps] if isinstance(deps, str) else list(deps))]
                for c, deps in columns.items()}
    else:
        spec = {c: [c] for c in columns}
    missing = [c for cs in spec.values() for c in cs if c not in counts.columns]
    if missing:
        raise KeyError(f"no column {', '.join(map(str, missing))} in the table")
    return spec


def _check_min_cell(min_cell: int) -> int:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell!r}")
    return int(min_cell)


def _nullable(series: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Int64")
    if pd.api.types.is_float_dtype(series.dtype):
        return series.astype("Float64")
    return series.copy()


def _small(series: pd.Series, min_cell: int) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    return (values < min_cell).fillna(False).astype(bool)


def suppress_small(counts: pd.Series | pd.DataFrame, min_cell: int,
                   columns: Iterable[str] | Mapping[str, Iterable[str]] | str | None = None):
    """A copy where every count of donors below `min_cell` is NA (0 included).

    A Series is taken as counts. For a DataFrame, `columns` names the count
    columns (default: every column, as in a crosstab whose labels are in the
    index), or maps each count column to the columns that would give it away
    and are hidden with it: `{"returned": ["retention_rate"]}`. Integer
    columns become Int64, float ones Float64. Note: only the cells themselves
    are hidden; a total printed next to them can still reveal one hidden cell.
    """
    min_cell = _check_min_cell(min_cell)
    if isinstance(counts, pd.Series):
        return _nullable(counts).mask(_small(counts, min_cell))
    out = counts.copy()
    for count, hidden in _count_columns(counts, columns).items():
        small = _small(counts[count], min_cell)
        for c in hidden:
            out[c] = _nullable(out[c]).mask(small)
    return out


@dataclass(frozen=True)
class Safe:
    """A table that has passed the small-cell rule: the only kind a report shows, writes or describes.

    `frame` is a copy with small cells as NA, a boolean `suppressed` column
    (when the table counts people) and `complementary` (hidden only so that a
    total cannot give a small cell back: shown as "x", not as "<5"). `hidden`
    counts the hidden cells of the count columns (primary and complementary).
    """

    frame: pd.DataFrame
    min_cell: int
    hidden: int = 0
    counts: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def empty(self) -> bool:
        return self.frame.empty


def require(table: object) -> Safe:
    """`table` itself when it is `Safe`; a TypeError otherwise (the door was not passed)."""
    if not isinstance(table, Safe):
        raise TypeError(f"expected a table that passed disclosure.protect, got {type(table).__name__}")
    return table


def protect(frame: pd.DataFrame, min_cell: int, counts: Mapping[str, Iterable[str]],
            additive: Mapping[str, str | None] | None = None) -> Safe:
    """`frame` with its small cells hidden, as a `Safe` table.

    `counts` maps each count column (people) to the columns that would give it
    away and are hidden with it: `{"returned": ["retention_rate"]}`. An empty
    count is taken as 0, and 0 is hidden too (it says "nobody"). `additive` names
    the count columns whose cells add up to a published total: for each, the
    column holding the unit of the sum (`None`: every row is one unit; a column
    name such as "cohort_year": rows sharing it repeat one unit). Where exactly
    one unit of such a column is hidden, the smallest other one is hidden too,
    with everything that depends on it, so the total cannot give it back.
    """
    min_cell = _check_min_cell(min_cell)
    spec = {c: [c, *deps] for c, deps in counts.items()}
    missing = [c for cs in spec.values() for c in cs if c not in frame.columns]
    if missing:
        raise KeyError(f"no column {', '.join(map(str, missing))} in the table")
    primary = {c: _small(pd.to_numeric(frame[c]).fillna(0), min_cell) for c in spec}
    mask = dict(primary)
    for column, unit in (additive or {}).items():
        mask[column] = _complement(frame, column, unit, primary[column])
    out = frame.copy()
    small_any = pd.Series(False, index=frame.index)
    hidden_any = pd.Series(False, index=frame.index)
    for count, hide in mask.items():
        # a hidden count hides what would give it back: its rates, or the counts resting on a base
        for c in spec[count]:
            out[c] = _nullable(out[c]).mask(hide)
        hidden_any |= hide
        small_any |= primary[count]
    hidden = int(sum(out[c].isna().sum() - frame[c].isna().sum() for c in spec))
    if spec:
        out["suppressed"] = hidden_any.to_numpy(dtype=bool)
        # hidden only so that a total cannot give a small cell back: the count itself is not small
        out["complementary"] = (hidden_any & ~small_any).to_numpy(dtype=bool)
    return Safe(out, min_cell, hidden, tuple(spec))


def _complement(frame: pd.DataFrame, column: str, unit: str | None, small: pd.Series) -> pd.Series:
    """`small` plus the smallest other unit of `column` when exactly one unit is hidden."""
    keys = frame.index.to_series() if unit is None else frame[unit]
    units = pd.DataFrame({"key": keys.to_numpy(), "value": pd.to_numeric(frame[column]).to_numpy(),
                          "small": small.to_numpy()}).groupby("key", sort=False).first()
    if units["small"].sum() != 1 or len(units) < 2:
        return small
    partner = units.loc[~units["small"], "value"].astype(float).idxmin()
    return small | (keys == partner).to_numpy()


def no_people(frame: pd.DataFrame) -> Safe:
    """A table that counts no people (units of blood, sessions, dates): it passes the door as it is."""
    return Safe(frame.copy(), 1, 0, ())


def marker(row_complementary: bool, min_cell: int) -> str:
    """How a hidden cell reads: "<5" for a small one, "x" for one hidden to protect another."""
    return "x" if row_complementary else f"<{min_cell}"
