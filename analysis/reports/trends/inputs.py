"""The trends notebook's inputs: one timeseries file, or the published national table.

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from analysis import config, inputs
from analysis.errors import DataError
from analysis.inputs import published
from analysis.reports.trends.regions import select_region

PUBLISHED_LAYOUT = {"year", "scope", "measure", "value"}


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    """{"series": the timeseries frame}; a WorkbookError when the file cannot be used,
    or when the region asked for is not in it (so the run stops before it starts)."""
    series = read_series(record(params["timeseries_path"]), params.get("timeseries_columns"))
    if params.get("region") is not None:
        select_region(series, params["region"])
    return {"series": series}


def read_series(path: str | Path, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A timeseries file through the loaders, or the published national units.

    The frame has date, donations and whatever region / breakdown columns the
    file has; the published series also has qualifier and source_id.
    `attrs["measure"]` is "units" for the published series, else "donations";
    `attrs["measure_name"]` is the file's own header of the counted column when
    `columns` maps `donations` to it (what the file counts: "new_donors").
    """
    full = config.resolve(path)
    if _is_published_layout(full):
        return national_series(published.national(full))
    frame = inputs.load(full, "timeseries", columns)
    frame.attrs["measure"] = "donations"
    mapped = (columns or {}).get("donations")
    if isinstance(mapped, str) and mapped.strip():
        frame.attrs["measure_name"] = mapped.strip()
    return frame


def _is_published_layout(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return False
    return PUBLISHED_LAYOUT <= set(header)


def national_series(table: pd.DataFrame, scope: str = "national", measure: str = "units") -> pd.DataFrame:
    """One row per published year (dated 1 January) of `scope`'s `measure`, qualifier kept."""
    rows = table[(table["scope"] == scope) & (table["measure"] == measure)].sort_values("year")
    if rows.empty:
        raise DataError(f"no {measure!r} figures for scope {scope!r} in the published table")
    frame = pd.DataFrame({
        "date": pd.to_datetime(rows["year"].astype(int).astype(str), format="%Y").to_numpy(),
        "donations": rows["value"].round().astype("Int64").to_numpy(),
        "qualifier": rows["qualifier"].fillna("exact").astype(str).to_numpy(),
        "source_id": rows["source_id"].astype(str).to_numpy(),
    })
    frame.attrs["measure"] = "units"
    return frame
