"""Disclosure control: counts of fewer than `min_cell` people are hidden before any output."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.text import i18n

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


def format_small(counts: pd.Series | pd.DataFrame, min_cell: int,
                 columns: Iterable[str] | Mapping[str, Iterable[str]] | str | None = None,
                 lang: str = "vi"):
    """Counts as display text: below `min_cell` (or NA, as `suppress_small` leaves them)
    as "<5" for min_cell 5, the others as whole numbers in `lang` (26.203 / 26,203).

    Takes the counts before or after `suppress_small`; columns as there (only the
    count columns are formatted, the others are returned unchanged).
    """
    min_cell = _check_min_cell(min_cell)
    hidden = f"<{min_cell}"

    def text(series: pd.Series) -> pd.Series:
        values = pd.to_numeric(series, errors="coerce").astype("Float64")
        small = (values < min_cell).fillna(True).astype(bool)
        shown = [hidden if s else i18n.fmt_int(float(v), lang)
                 for v, s in zip(values, small, strict=True)]
        return pd.Series(shown, index=series.index, name=series.name, dtype=object)

    if isinstance(counts, pd.Series):
        return text(counts)
    out = counts.copy()
    for count in _count_columns(counts, columns):
        out[count] = text(counts[count])
    return out
