"""Parquet files: read column by column with Arrow, text kept dictionary-encoded."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as arrow

from analysis.errors import InputError
from analysis.inputs import limits
from analysis.inputs.problems import ROW, Problem, _fail, quote
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
    The file's footer is read first: a file past the row or column limit, or with
    a column of nested values or bytes, is refused before any data is read.
    """
    _check_footer(path, file)
    try:
        frame = _parquet_frame(path)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - whatever it is, pandas below says it in its words
        frame = None
    if frame is not None:
        header = [str(c) for c in frame.columns]
        frame.columns = range(len(header))
        frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW)
        return 1, header, frame
    try:
        frame = pd.read_parquet(path)
    except MemoryError:
        raise
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise _unreadable(file, exc) from None
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


def _unreadable(file: str, exc: Exception) -> InputError:
    said = " ".join(f"{type(exc).__name__}: {exc}".split())
    said = said if len(said) <= 120 else said[:119] + "…"
    return _fail(file, f"not a readable Parquet file ({said}), "
                 "expected a file written by pandas, pyarrow or DuckDB")


def _check_footer(path: Path, file: str) -> None:
    """Rows, columns and column types as the file's footer states them, before any data."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken footer: said in pyarrow's words
        raise _unreadable(file, exc) from None
    if len(schema) > limits.limit("columns"):
        raise limits.breach(file, "columns", f"{len(schema):,} columns", row=1)
    if meta.num_rows > limits.limit("rows"):
        raise limits.breach(file, "rows", f"the file states {meta.num_rows:,} rows")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.limit("bytes"):
        raise limits.breach(file, "bytes", f"the file's data unpacks to {unpacked:,} bytes")
    problems = [Problem(file, 1, str(field.name)[:60],
                        f"the column {quote(field.name)} holds {what}, expected plain values "
                        "(text, numbers or dates), one a cell")
                for field in schema if (what := _unusable(field.type))]
    if problems:
        raise InputError(problems)


def _unusable(type_) -> str | None:
    """What a column type holds that a table cell cannot (None: a plain type)."""
    types = arrow.types
    if types.is_dictionary(type_):
        type_ = type_.value_type
    if types.is_struct(type_) or types.is_map(type_) or types.is_union(type_):
        return "records of several fields"
    if types.is_list(type_) or types.is_large_list(type_) or types.is_fixed_size_list(type_) \
            or getattr(types, "is_list_view", lambda t: False)(type_):
        return "lists of values"
    if types.is_binary(type_) or types.is_large_binary(type_) or types.is_fixed_size_binary(type_) \
            or getattr(types, "is_binary_view", lambda t: False)(type_):
        return "bytes (binary data)"
    return None


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
