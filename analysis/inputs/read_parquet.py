"""Parquet files: read column by column with Arrow, text kept dictionary-encoded."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as arrow

from analysis.inputs.problems import ROW, _fail
from analysis.inputs.read_text import _workers
from analysis.inputs.values import _categorical, _dates_in_range, _dictionary_codes, _is_text_type

# --- parquet


def _parquet_grid(path: Path, file: str) -> tuple[int, list[str], pd.DataFrame]:
    """Parquet has typed columns and no title rows: the header counts as row 1.

    Text columns come as categoricals (read as Arrow dictionaries, each distinct
    value once), dates as datetime64 when every one lies in 1900-2100 (else as
    the date objects pandas gives, whose years are checked one by one); other
    columns as pandas reads them. A file the fast reader does not take (a stored
    index, repeated column names, a broken file) is read by pandas as before.
    """
    try:
        frame = _parquet_frame(path)
    except Exception:  # noqa: BLE001 - whatever it is, pandas below says it in its words
        frame = None
    if frame is not None:
        header = [str(c) for c in frame.columns]
        frame.columns = range(len(header))
        frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW)
        return 1, header, frame
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise _fail(file, f"not a readable Parquet file ({type(exc).__name__}: {exc}), "
                    "expected a file written by pandas, pyarrow or DuckDB") from None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame = frame.reset_index(drop=True)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW)
    header = [str(c) for c in frame.columns]
    frame.columns = range(len(header))
    return 1, header, frame


def _parquet_frame(path: Path) -> pd.DataFrame | None:
    """The file's columns; row groups are read in parallel, text as dictionaries."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    names = schema.names
    if len(set(names)) != len(names):
        return None
    pandas_meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
    if any(not isinstance(i, dict) for i in pandas_meta.get("index_columns", [])) \
            or len(pandas_meta.get("column_indexes", [])) > 1:
        return None  # a stored index or several header levels: pandas knows how
    text = [f.name for f in schema if _is_text_type(f.type)]
    with pq.ParquetFile(path, read_dictionary=text) as whole:
        groups = whole.num_row_groups
        if groups <= 1:
            table = whole.read()

    def group(i: int):
        with pq.ParquetFile(path, read_dictionary=text) as file:  # a reader per thread
            return file.read_row_group(i, use_threads=False)

    if groups > 1:
        with ThreadPoolExecutor(_workers(groups)) as pool:
            table = arrow.concat_tables(list(pool.map(group, range(groups))))
    columns: dict[str, object] = {}
    for name in names:
        column = table.column(name)
        if name in text:
            codes, dictionary = _dictionary_codes(column)
            if dictionary.null_count:
                return None
            columns[name] = _categorical(codes, dictionary.to_numpy(zero_copy_only=False))
        elif arrow.types.is_date32(column.type) and _dates_in_range(column):
            columns[name] = column.cast(arrow.timestamp("ns")).to_numpy()
        else:
            columns[name] = None  # below, as pandas converts it
    rest = [n for n, v in columns.items() if v is None]
    if rest:
        converted = table.select(rest).to_pandas()
        for name in rest:
            values = converted[name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            columns[name] = values.array  # by position: pandas may restore a stored index
    del table
    return pd.DataFrame(columns, copy=False)
