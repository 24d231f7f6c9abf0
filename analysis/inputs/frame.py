"""A read table made typed: total rows set aside, every column parsed on its distinct values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.inputs import schema, shape
from analysis.inputs.periodtext import text_grain
from analysis.inputs.problems import _RECORD, ROW, Problem, _Context
from analysis.inputs.schema import COUNT, DATE, TEXT
from analysis.inputs.values import (
    _TOTAL_WORDS,
    _all_whole,
    _arrow_text,
    _as_objects,
    _categorical,
    _parse_column,
    _recode,
    _spaces,
    _total_initials,
    encode_values,
)

# The text columns a loaded visits frame holds as categoricals: the pseudonymised
# donor_id (categories in order of first appearance) and the few sexes, sites and
# outcomes (categories sorted), so one file gives one frame whatever its format.
VISITS_CATEGORICAL = ("donor_id", "sex", "site", "outcome")
FEW_CATEGORIES = 1000


def _normalise_words(series: pd.Series, name: str) -> pd.Series:
    """Written forms (Nam/Nữ, đã hiến/hoãn, khoảng...) onto canonical values."""
    if name == "campaign_id":
        return _map_given(series, str.lower)
    words = schema.vocabulary(name)
    if not words:
        return series
    return _map_given(series, lambda v: words.get(schema.folded_key(v), v))


def _map_given(series: pd.Series, fn) -> pd.Series:
    """`fn` applied once per distinct given value; empty cells stay empty."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        given = series.cat.categories.tolist()
        values = [fn(v) for v in given]
        if all(type(v) is type(g) and v == g for v, g in zip(values, given, strict=True)):
            return series  # already canonical ("M", "donated"): nothing to rewrite
        codes, values = _recode(np.asarray(series.cat.codes), values)
        return pd.Series(_categorical(codes, values), index=series.index, name=series.name)
    lookup = {v: fn(v) for v in series.dropna().unique()}
    return series.map(lookup).astype(object).where(series.notna(), None)


def _with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    work = frame.copy(deep=False)  # the columns are only read, never written
    if work.index.name != ROW or not work.index.is_unique:
        work.index = pd.RangeIndex(2, len(work) + 2, name=ROW)  # as a CSV with its header in row 1
    return work


def _may_hold_text(dtype) -> bool:
    api = pd.api.types
    return not (api.is_numeric_dtype(dtype) or api.is_bool_dtype(dtype)
                or api.is_datetime64_any_dtype(dtype) or api.is_timedelta64_dtype(dtype))


def _total_rows(frame: pd.DataFrame, ctx: _Context, encoded: dict | None = None
                ) -> tuple[list[Problem], pd.DataFrame]:
    """A 'Tổng cộng' row at the bottom of a sheet is refused by name, not as a bad session.

    The columns looked at are encoded into `encoded` for `_parse_frame` to reuse.
    """
    encoded = {} if encoded is None else encoded
    problems: dict[int, Problem] = {}
    for name in frame.columns[:3]:  # the label of a total row sits at the left
        if not _may_hold_text(frame[name].dtype):  # numbers and dates hold no label
            continue
        if ctx.kind == "timeseries" and name == "region":
            continue  # a region named "Tổng cộng" is the series' total row: the report finds it

        codes, uniques = encoded[name] = encode_values(frame[name])
        labels = {k: uniques[k] for k in _total_candidates(uniques) if _is_total_label(uniques[k])}
        if not labels:
            continue
        hits = np.isin(codes, list(labels))
        for row, code in zip(frame.index[hits], codes[hits], strict=True):
            if row not in problems:
                problems[row] = ctx.problem(row, name,
                                            f"{labels[code].strip()!r} looks like a total row, "
                                            f"expected one row per {_RECORD[ctx.kind]}: delete it "
                                            "(the workbook adds up by itself)")
    if not problems:
        return [], frame
    encoded.clear()  # rows are dropped: the codes no longer fit
    return list(problems.values()), frame.drop(index=list(problems))


def _total_candidates(uniques: list):
    """Positions of the values that may be a total label: short, starting with t, c or g."""
    text = _arrow_text(uniques)
    if text is None:
        return range(len(uniques))
    short = pc.less_equal(pc.utf8_length(text), 16)
    initial = pc.match_substring_regex(text, f"^[{_spaces()}]*(?:[{_total_initials()}]|$)")
    return np.flatnonzero(pc.and_(short, initial).to_numpy(zero_copy_only=False))


def _is_total_label(cell: object) -> bool:
    # cheap tests first: a column of 10^6 donor ids holds no total label
    return (isinstance(cell, str) and len(cell) <= 16 and cell.strip()[:1].casefold() in "tcg"
            and schema.folded_key(cell) in _TOTAL_WORDS)


def _parse_frame(frame: pd.DataFrame, ctx: _Context, encoded: dict | None = None,
                 counts: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Each column parsed in its type; columns of no kind are text, except those in `counts`
    (a time series' breakdowns), or, when `counts` is None, a time series' whole numbers."""
    encoded = {} if encoded is None else encoded
    problems: list[Problem] = []
    parsed = {}
    grains = {}
    unit_words: list[str] = []
    for name in frame.columns:
        col = schema.column(ctx.kind, name)
        if col is not None:
            type_ = col.type
        elif counts is not None:
            type_ = COUNT if name in counts else TEXT
        elif ctx.kind == "timeseries" and _all_whole(frame[name]):
            type_ = COUNT  # a breakdown column (blood group, age band, new/repeat...)
        else:
            type_ = TEXT
        codes = encoded.pop(name, None)
        if type_ == DATE and _may_hold_text(frame[name].dtype):
            codes = codes or encode_values(frame[name])
            if grain := text_grain(codes[1]):  # 08/2023, Quý 3/2023: a date at a coarser grain
                grains[name] = grain
        if type_ == COUNT and _may_hold_text(frame[name].dtype):
            codes = codes or encode_values(frame[name])
            uniques, example = shape.unit_words(codes[1], name)
            if example is not None:  # 442 đơn vị: said once a column, not once a row
                codes = (codes[0], uniques)
                unit_words.append(name)
                shape.unit_note(ctx.file, ctx.header(name), None if ctx.kind == "visits" else example)
        values, errors = _parse_column(frame[name], type_, codes)
        if type_ == TEXT:
            values = _normalise_words(values, name)
        parsed[name] = values
        problems += [ctx.problem(row, name, msg) for row, msg in errors.items()]
    out = pd.DataFrame(parsed, index=frame.index, copy=False)
    out.attrs["grains"] = grains
    out.attrs["unit_words"] = unit_words
    return out, problems


def _finish(frame: pd.DataFrame, kind: str, keep_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Canonical columns first in schema order, then the file's other columns; index 0..n-1.

    Text columns become Python strings (None where empty), except those in
    `keep_codes`, which stay categoricals: with their categories sorted and
    only those used when they are few (a million ids are left as they are).
    """
    known = [c.name for c in schema.columns(kind) if c.name in frame]
    extra = [c for c in frame.columns if c not in known]
    columns = {}
    for name in known + extra:
        series = frame[name]
        if not isinstance(series.dtype, pd.CategoricalDtype):
            columns[name] = series.array
        elif name not in keep_codes:
            columns[name] = _as_objects(series)
        elif len(series.cat.categories) <= FEW_CATEGORIES:
            used = series.cat.remove_unused_categories()
            columns[name] = used.cat.reorder_categories(sorted(used.cat.categories)).array
        else:
            columns[name] = series.array
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), copy=False)
