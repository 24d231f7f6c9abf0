"""Parsing cell values (counts, dates, text) one by one and, for large columns, on their distinct values."""

from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from analysis.inputs.guards import UncachedFormula, _refused, _uncached
from analysis.inputs.problems import FIRST_YEAR, LAST_YEAR, _fmt_value, _is_blank, quote
from analysis.inputs.schema import COUNT, DATE, EXPECTED, TEXT, YEAR, ZERO_WIDTH


def _is_text_type(type_) -> bool:
    if arrow.types.is_dictionary(type_):
        type_ = type_.value_type
    return arrow.types.is_string(type_) or arrow.types.is_large_string(type_)


def _dates_in_range(column) -> bool:
    """Every date of a date32 column lies in the years `parse_date` accepts."""
    days = column.cast(arrow.int32())
    low, high = pc.min(days).as_py(), pc.max(days).as_py()
    first, last = (int(np.datetime64(d, "D").astype(np.int64))
                   for d in (f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31"))
    return low is None or (first <= low and high <= last)


# -------------------------------------------------------------- parsing values

_NA_WORDS = {"", "-", "–", "—", "na", "n/a", "nan", "null", "none", "nat"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
                         "\u2212": "-"})
# Digits are 0-9 only (re.ASCII): a fullwidth '１２' or Arabic-Indic '١٢' is refused, not read.
_WHOLE = re.compile(r"-?\d+", re.ASCII)
_GROUPED = re.compile(r"-?\d{1,3}(?P<sep>[., '])\d{3}(?:(?P=sep)\d{3})*", re.ASCII)
# 12.0 or 12,00: how tools that keep counts as decimals write them
_ZERO_FRACTION = re.compile(r"-?\d+[.,]0{1,2}", re.ASCII)
_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:[., ']\d{3})*|\d+)[.,]\d+", re.ASCII)
# a time part is checked, then set aside: the day is what counts
_TIME = r"(?:(?:[ T]|,\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME, re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME, re.ASCII)
_TOO_LARGE = 2**62  # counts are held as 64-bit integers; anything near that is a mistake
_TOTAL_WORDS = {"tong", "tongcong", "tongso", "cong", "total", "grandtotal"}


def _missing(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in _NA_WORDS
    return _is_blank(value)


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A whole number from a cell: 26203, 26.203, 26,203, '26 203'; or an error."""
    if _missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value} is not a number, expected {EXPECTED[COUNT]}"
    if isinstance(value, UncachedFormula):
        return None, _uncached(value)
    if isinstance(value, numbers.Integral):
        if abs(int(value)) >= _TOO_LARGE:
            return None, f"{value} is too large, expected {EXPECTED[COUNT]}"
        return int(value), None
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            return None, f"{value} is not a number, expected {EXPECTED[COUNT]}"
        if abs(value) >= _TOO_LARGE:
            return None, f"{value} is too large, expected {EXPECTED[COUNT]}"
        if float(value).is_integer():
            return int(value), None
        return None, f"{value} is not a whole number, expected {EXPECTED[COUNT]}"
    if not isinstance(value, str):
        return None, f"{quote(_fmt_value(value))} is not a number, expected {EXPECTED[COUNT]}"
    text = " ".join(value.translate(_SPACES).split())
    if _WHOLE.fullmatch(text) or _GROUPED.fullmatch(text):
        number = int(re.sub(r"[., ']", "", text))
    elif _ZERO_FRACTION.fullmatch(text):
        number = int(re.split(r"[.,]", text)[0])
    elif _DECIMAL.fullmatch(text):
        return None, f"{quote(value.strip())} is not a whole number, expected {EXPECTED[COUNT]}"
    else:
        return None, f"{quote(value.strip())} is not a number, expected {EXPECTED[COUNT]}{_digits(text)}"
    if abs(number) >= _TOO_LARGE:
        return None, f"{quote(value.strip())} is too large, expected {EXPECTED[COUNT]}"
    return number, None


def _digits(text: str) -> str:
    """A hint when a text holds digits other than 0-9 (fullwidth, Arabic-Indic...)."""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return ", written with the digits 0-9 (this one uses other digits)"
    return ""


def parse_date(value: object) -> tuple[pd.Timestamp | None, str | None]:
    """A day from a cell: a date cell, 2023-08-04, or day-first 4/8/2023, 04-08-2023."""
    if isinstance(value, UncachedFormula):
        return None, _uncached(value)
    if _missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value} is not a date, expected {EXPECTED[DATE]}"
    if isinstance(value, numbers.Number):
        return None, (f"{value} is a number, not a date, expected {EXPECTED[DATE]} "
                      "(in Excel, format the column as Date)")
    if isinstance(value, str):
        return _parse_date_text(value.strip())
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None, f"{quote(_fmt_value(value))} is not a date, expected {EXPECTED[DATE]}"
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return _checked_day(stamp.year, stamp.month, stamp.day, _fmt_value(value))


@functools.lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> tuple[pd.Timestamp | None, str | None]:
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.group(1, 2, 3))
    elif m := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in m.group(1, 2, 3))
    else:
        return None, f"{quote(text)} is not a date, expected {EXPECTED[DATE]}{_digits(text)}"
    if m["hour"] is not None and (int(m["hour"]) > 23 or int(m["minute"]) > 59
                                  or int(m["second"] or 0) > 59):
        return None, (f"{quote(text)} has an impossible time of day, expected a date such as "
                      "04/08/2023, with a time (if any) from 00:00 to 23:59")
    return _checked_day(year, month, day, text)


def _checked_day(year: int, month: int, day: int, text: str) -> tuple[pd.Timestamp | None,
                                                                      str | None]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None, (f"{quote(text)} has the year {year}, expected a date between "
                      f"{FIRST_YEAR} and {LAST_YEAR}")
    try:
        return pd.Timestamp(year, month, day), None
    except ValueError:
        return None, f"{quote(text)} is not a real date, expected day/month/year such as 04/08/2023"


def parse_text(value: object) -> str | None:
    """A cell as tidy text (NFC, single spaces, no zero-width characters); numbers without
    a spurious '.0'. Control characters are not taken out here: loading refuses them."""
    if _missing(value) or isinstance(value, UncachedFormula):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
        value = f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else stamp.isoformat()
    text = " ".join(unicodedata.normalize("NFC", str(value)).translate(ZERO_WIDTH).split())
    return text or None


def _all_whole(series: pd.Series) -> bool:
    """Every given cell is a whole number: a breakdown column of a time series."""
    results = [parse_count(v) for v in _factorize(series)[1]]
    return any(v is not None for v, _ in results) and not any(e for _, e in results)


def _parse_column(series: pd.Series, type_: str, encoded: tuple[np.ndarray, list] | None = None
                  ) -> tuple[pd.Series, dict[int, str]]:
    """The column in its canonical type, and an error per row that could not be read.

    Text comes back as a categorical (see `_finish`). `encoded` is the column's
    `_encode` when the caller has it already.
    """
    if type_ in (COUNT, YEAR) and pd.api.types.is_integer_dtype(series.dtype) \
            and _within_count_range(series):
        return series.astype("Int64"), {}
    if type_ == DATE and pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        if series.dtype == "datetime64[ns]" and _at_midnight(series.to_numpy()):
            return series, {}  # days already (a Parquet date column)
        return series.dt.normalize().astype("datetime64[ns]"), {}
    if type_ in (COUNT, YEAR) and isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        whole = _whole_floats(series)
        if whole is not None:
            return whole, {}
    # each distinct cell is parsed once: a column of 10^6 visits holds a few thousand dates
    codes, uniques = encoded if encoded is not None else encode_values(series)
    refused = _refused(uniques, type_, _arrow_text(uniques))
    if refused:  # said once here, then taken as empty
        uniques = ["" if k in refused else u for k, u in enumerate(uniques)]
    codes_before = codes
    if type_ == TEXT:
        parsed, unchanged = _parse_texts(uniques)
        if unchanged and not refused and isinstance(series.dtype, pd.CategoricalDtype):
            return series, {}  # already tidy text: no new categorical of a million donor ids
        if not unchanged or refused:
            codes, parsed = _recode(codes, parsed)
        out = pd.Series(_categorical(codes, parsed), index=series.index)
        return out, _row_errors(series, codes_before, refused) if refused else {}
    parse, plain = (parse_date, _plain_dates) if type_ == DATE else (parse_count, _plain_counts)
    text = _arrow_text(uniques)
    easy, easy_values = plain(text) if text is not None else (np.zeros(len(uniques), bool), None)
    rest = np.flatnonzero(~easy)
    results = [parse(uniques[k]) for k in rest]
    given = [v for v, _ in results]
    bad = {int(k): e for k, (_, e) in zip(rest, results, strict=True) if e}
    # code -1 (an empty cell) takes the empty value appended at the end
    if type_ == DATE:
        table = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[ns]")
        if easy_values is not None:
            table[:-1][easy] = easy_values[easy]
        if len(rest):
            table[rest] = pd.array(given, dtype="datetime64[ns]").to_numpy()
        out = pd.Series(table[codes], index=series.index)
    else:
        data = np.zeros(len(uniques) + 1, dtype=np.int64)
        empty = np.ones(len(uniques) + 1, dtype=bool)
        if easy_values is not None:
            data[:-1][easy] = easy_values[easy]
            empty[:-1][easy] = False
        if len(rest):
            numbers_ = pd.array(given, dtype="Int64")
            data[rest] = numbers_.to_numpy(dtype=np.int64, na_value=0)
            empty[rest] = numbers_.isna()
        out = pd.Series(pd.arrays.IntegerArray(data[codes], empty[codes]), index=series.index)
    bad.update(refused)
    return out, _row_errors(series, codes_before, bad) if bad else {}


def _row_errors(series: pd.Series, codes: np.ndarray, bad: dict[int, str]) -> dict[int, str]:
    """The message of each row whose code is in `bad`."""
    failed = np.isin(codes, list(bad))
    return {row: bad[code] for row, code in zip(series.index[failed], codes[failed], strict=True)}


def _within_count_range(series: pd.Series) -> bool:
    """An integer column whose values all fit a count (else each is worded one by one)."""
    if series.empty:
        return True
    low, high = series.min(), series.max()
    return pd.isna(low) or (-_TOO_LARGE < int(low) and int(high) < _TOO_LARGE)


_DAY_NS = 86_400_000_000_000


def _at_midnight(values: np.ndarray) -> bool:
    """Every given datetime64[ns] value is a day at midnight."""
    ns = values.view(np.int64)
    given = ns != np.iinfo(np.int64).min  # NaT aside
    if not given.all():
        ns = ns[given]
    return bool((ns // _DAY_NS * _DAY_NS == ns).all())


def _whole_floats(series: pd.Series) -> pd.Series | None:
    """A float column of whole numbers (and gaps) as Int64; None if any cell needs a message."""
    values = series.to_numpy()
    empty = np.isnan(values)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2**62)
    if not (whole | empty).all():
        return None
    return pd.Series(pd.arrays.IntegerArray(np.where(whole, values, 0).astype(np.int64), empty),
                     index=series.index)


def _factorize(series: pd.Series) -> tuple[np.ndarray, list]:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists in a Parquet column): compare them as text
        codes, uniques = pd.factorize(series.map(lambda v: None if _is_blank(v) else str(v)))
    return np.asarray(codes), list(uniques)


# ------------------------------------------------------ columns as codes + values
#
# A column of ten million visits holds far fewer distinct cells (a few thousand
# dates, one id per donor, a dozen sites). Each column is split once into
# integer codes and its distinct values; every parse and check runs on the
# distinct values, and the results reach the rows through the codes. Text stays
# a categorical (the same split) until `_finish` makes Python strings of it.
# Where many distinct values are text, Arrow first picks out, all at once, the
# ones any reader would take as they are ("S0012345", "2023-08-04", "350"); the
# others go through parse_text / parse_date / parse_count one by one, so every
# message is the one those functions word.

_VECTOR_MIN = 512  # fewer distinct values than this are simply parsed one by one
_PLAIN_TEXT = r"^[!-~]+(?: [!-~]+)*$"  # printable ASCII words, single spaces: already tidy
_PLAIN_COUNT = r"^-?[0-9]{1,18}$"  # below 2**62 whatever the digits
_PLAIN_ISO = r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$"
_PLAIN_DAY_FIRST = r"^(?P<d>[0-9]{1,2})[-/.](?P<m>[0-9]{1,2})[-/.](?P<y>[0-9]{4})$"


def encode_values(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1: an empty cell) and the distinct values of a column.

    A categorical gives its own; its unused categories stay among the values,
    which is harmless: a value only reaches the rows through their codes.
    Text is dictionary-encoded by Arrow, twice as fast as pandas' hashing.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return np.asarray(series.cat.codes), series.cat.categories.tolist()
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
        values = series.to_numpy() if series.dtype == object else series.array
        try:
            text = arrow.array(values, from_pandas=True)
        except (arrow.ArrowInvalid, arrow.ArrowTypeError, arrow.ArrowNotImplementedError,
                UnicodeError):
            text = None  # not all text: numbers, dates, lists...
        if text is not None and _is_text_type(text.type):
            codes, dictionary = _dictionary_codes(text)
            return codes, dictionary.to_pylist()
    return _factorize(series)


def _dictionary_codes(column) -> tuple[np.ndarray, arrow.Array]:
    """Codes (-1 for null) and dictionary of an Arrow text column, plain or dictionary-encoded."""
    if isinstance(column, arrow.Array):
        column = arrow.chunked_array([column])
    if not arrow.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)  # one dictionary, shared by every chunk
    chunks = column.chunks
    if not chunks:
        return np.zeros(0, dtype=np.int32), arrow.array([], type=column.type.value_type)
    first = chunks[0].dictionary
    if not all(c.dictionary.equals(first) for c in chunks[1:]):
        chunks = column.unify_dictionaries().chunks
        first = chunks[0].dictionary
    codes = [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False) for c in chunks]
    return (codes[0] if len(codes) == 1 else np.concatenate(codes)), first


def _categorical(codes: np.ndarray, values) -> pd.Categorical:
    """Codes onto distinct values, which must be unique and not empty."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype=object),
                                     validate=False)


def _recode(codes: np.ndarray, values: list) -> tuple[np.ndarray, list]:
    """Codes onto the distinct members of `values` (one per old code; None: empty)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    new_codes, distinct = pd.factorize(array)
    return np.append(new_codes, -1)[codes], list(distinct)


def _as_objects(series: pd.Series) -> np.ndarray:
    """A categorical column as an object array of its values, None where empty."""
    values = np.append(series.cat.categories.to_numpy(dtype=object), None)
    return values[np.asarray(series.cat.codes)]


def _arrow_text(values: list) -> arrow.Array | None:
    """Many distinct values, all text, as an Arrow array; else None."""
    if len(values) < _VECTOR_MIN:
        return None
    try:
        return arrow.array(values, type=arrow.string())
    except (arrow.ArrowInvalid, arrow.ArrowTypeError, UnicodeError):
        return None


# Every character str.isspace() takes for white space (what str.strip() and str.split()
# remove), and every one whose casefold is t, c or g; tests check both against Python.
PY_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
             "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
TOTAL_INITIALS = "CGTcgt"


def _char_class(chars: str) -> str:
    """The body of a regex character class (RE2 syntax) of exactly these characters."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


def _spaces() -> str:
    return _char_class(PY_SPACES)


def _total_initials() -> str:
    return _char_class(TOTAL_INITIALS)


def _blank_mask(text: arrow.Array) -> np.ndarray:
    """Which values are blank (nothing but white space, as str.strip sees it)."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    hits = pc.match_substring_regex(text, f"^[{_spaces()}]*$")
    return pc.fill_null(hits, False).to_numpy(zero_copy_only=False)


def _parse_texts(uniques: list) -> tuple[list, bool]:
    """parse_text of each value, and whether every one came out as it went in."""
    text = _arrow_text(uniques)
    if text is None:
        parsed = [parse_text(u) for u in uniques]
        return parsed, all(type(u) is str and p == u for u, p in zip(uniques, parsed, strict=True))
    na_words = arrow.array(sorted(w for w in _NA_WORDS if w.isascii()))
    tidy = pc.and_(pc.match_substring_regex(text, _PLAIN_TEXT),
                   pc.invert(pc.is_in(pc.utf8_lower(text), value_set=na_words)))
    parsed = list(uniques)
    unchanged = True
    for k in np.flatnonzero(~tidy.to_numpy(zero_copy_only=False)):
        parsed[k] = parse_text(uniques[k])
        unchanged = unchanged and parsed[k] == uniques[k]
    return parsed, unchanged


def _plain_counts(text: arrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plain whole numbers ("350", "-5"), and their values."""
    easy = pc.match_substring_regex(text, _PLAIN_COUNT).to_numpy(zero_copy_only=False)
    values = np.zeros(len(text), dtype=np.int64)
    if easy.any():
        values[easy] = pc.cast(text.filter(arrow.array(easy)), arrow.int64()).to_numpy()
    return easy, values


def _plain_dates(text: arrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plainly a real day of 1900-2100 (2023-08-04, 4/8/2023), and that day.

    These are the texts parse_date reads through its ISO or day-first pattern
    without a time part and accepts; every other value is left to it.
    """
    easy = np.zeros(len(text), dtype=bool)
    days = np.zeros(len(text), dtype="datetime64[D]")
    for pattern in (_PLAIN_ISO, _PLAIN_DAY_FIRST):
        found = pc.extract_regex(text, pattern)
        matched = found.is_valid().to_numpy(zero_copy_only=False) & ~easy
        if not matched.any():
            continue
        parts = found.filter(arrow.array(matched))
        y, m, d = (pc.cast(parts.field(f), arrow.int64()).to_numpy() for f in "ymd")
        month = ((y - 1970) * 12 + m - 1).astype("datetime64[M]")
        day = month.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
        real = ((FIRST_YEAR <= y) & (y <= LAST_YEAR) & (1 <= m) & (m <= 12) & (1 <= d) & (d <= 31)
                & (day.astype("datetime64[M]") == month))
        where = np.flatnonzero(matched)
        easy[where[real]] = True
        days[where[real]] = day[real]
    return easy, days.astype("datetime64[ns]")
