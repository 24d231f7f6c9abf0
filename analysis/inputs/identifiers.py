"""Direct identifiers in a visits file: found by header or content, dropped on load.

Donor records are sensitive personal data (health data under Decree
13/2023/NĐ-CP). Names, phone numbers, ID-card numbers, e-mail or postal
addresses and full dates of birth are removed before anything else sees the
frame; a date of birth leaves only its year. Nothing here puts a cell value
into a message: only column names are reported.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.inputs import schema
from analysis.inputs.values import encode_values, parse_date

log = logging.getLogger(__name__)

# Never dropped, whatever their header or content: the visits kind's own columns.
CANONICAL = tuple(c.name for c in schema.columns("visits"))

# kinds of direct identifier
NAME, PHONE, EMAIL, ID_NUMBER, ADDRESS, BIRTH_DATE = (
    "name", "phone", "email", "id_number", "address", "birth_date")

# ------------------------------------------------------------------ header names
#
# Headers are compared as `_header_key` makes them: NFC, accents removed (đ -> d),
# case-folded, every character that is not a letter or digit removed
# ("Số CMND/CCCD" -> "socmndcccd", "E-mail" -> "email", "Họ & tên" -> "hoten").
# EXACT: the whole header must be the word (short or ambiguous ones: "Tên" is a
# person's name, "Tên điểm" a site's). CONTAINS: stems distinctive enough to
# find inside a longer header ("Số điện thoại liên hệ", "Địa chỉ thường trú").

_EXACT: dict[str, tuple[str, ...]] = {
    NAME: ("ten", "ho", "name", "names", "tendem"),
    PHONE: ("dt", "tel", "sdt", "zalo", "mobile", "phone", "cell"),
    EMAIL: ("mail",),
    ID_NUMBER: ("cmt", "cmtnd", "ssn"),
    ADDRESS: ("choo",),
    BIRTH_DATE: ("dob", "sinhngay"),
}
# short words recognised as a word of their own in a longer header:
# "DOB (dd/mm/yyyy)", "SĐT liên hệ", "Số CMT", "Tel.", "Mail address"
_WORDS: dict[str, tuple[str, ...]] = {
    BIRTH_DATE: ("dob",),
    ID_NUMBER: ("cmt", "cmtnd", "ssn"),
    EMAIL: ("mail",),
    PHONE: ("sdt", "tel"),
}
_CONTAINS: dict[str, tuple[str, ...]] = {
    NAME: ("hoten", "hovaten", "fullname", "firstname", "lastname", "surname", "givenname",
           "familyname", "middlename", "tennguoi", "tennhm", "tendaydu", "tenkhaisinh",
           "donorname", "personname", "patientname", "nameofdonor"),
    PHONE: ("dienthoai", "sodt", "sdt", "phone", "mobile", "didong", "cellular"),
    EMAIL: ("email", "thudientu", "gmail"),
    ID_NUMBER: ("cccd", "cmnd", "cancuoc", "chungminh", "hochieu", "passport", "idnumber",
                "nationalid", "idcard", "identitycard", "identitynumber", "identification",
                "giaytotuythan", "sogiayto", "dinhdanh", "bhyt", "baohiemyte",
                "healthinsurance", "insurancenumber", "socialsecurity", "sohieu", "macanbo",
                "manhanvien", "employeeid", "employeenumber", "staffid", "staffnumber"),
    ADDRESS: ("diachi", "noio", "noicutru", "thuongtru", "tamtru", "hokhau", "quequan",
              "noisinh", "address", "sonha", "residence", "street", "choohientai"),
    BIRTH_DATE: ("ngaysinh", "ngaythangnamsinh", "dateofbirth", "birthdate", "birthday"),
}
_EXACT_INDEX = {w: kind for kind, ws in _EXACT.items() for w in ws}


def _header_key(header: object) -> str:
    folded = schema.fold_accents(unicodedata.normalize("NFC", str(header))).casefold()
    return re.sub(r"[^0-9a-z]", "", folded)


def _tokens(header: object) -> list[str]:
    folded = schema.fold_accents(unicodedata.normalize("NFC", str(header))).casefold()
    return [t for t in re.split(r"[^0-9a-z]+", folded) if t]


def _protected(header: object) -> bool:
    """A canonical visits column, or a header the loader would map onto one."""
    return str(header) in CANONICAL or schema.canonical_for(header, "visits") is not None


def identifier_kind(header: object) -> str | None:
    """What a header names if it names a direct identifier ("phone", "name", ...), else None.

    >>> identifier_kind("Số điện thoại"), identifier_kind("SO DIEN THOAI"), identifier_kind("site")
    ('phone', 'phone', None)
    """
    if _protected(header):
        return None
    key = _header_key(header)
    if not key:
        return None
    if key in _EXACT_INDEX:
        return _EXACT_INDEX[key]
    tokens = set(_tokens(header))
    for kind in (BIRTH_DATE, ID_NUMBER, EMAIL, PHONE, ADDRESS, NAME):
        if any(stem in key for stem in _CONTAINS[kind]) or tokens & set(_WORDS.get(kind, ())):
            return kind
    return None


# ----------------------------------------------------------------------- content
#
# The fallback for headers nobody foresaw ("Cột 7", "Liên hệ"): a column where
# most non-empty values look like an identifier. Only a sample is read, so a
# ten-million-row file costs no more than a small one.

SAMPLE = 20_000
MOST = 0.5  # share of non-empty values that must look like an identifier
NAME_SHARE = 0.8  # stricter for names: share of values and of distinct values
NAME_MIN_DISTINCT = 10  # a column of fewer distinct "names" is more likely places

_ID_DIGITS = re.compile(r"\d{9}|\d{12}")  # CMND (9 digits) or CCCD (12)
_PHONE = re.compile(r"(?:\+?84|0)\d{9,10}")  # 0912345678, +84 912 345 678, (024) 3825 1234
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_SEPARATORS = re.compile(r"[\s.\-()/]")

# The commonest Vietnamese family names (accents removed): together they cover
# the great majority of people. A name-like value must start with one of them.
SURNAMES = frozenset("""
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dao doan dinh lam mai
trinh truong luong luu ha cao ta quach chu kieu la to thai tong trieu vuong khuc ong phung
nghiem tieu ung lai ton au dam diep giang kim lac lieu mac nong quan thach thieu van hua
khong tang tat lo luc nhu hong
""".split())
_WORD = re.compile(r"[^\W\d_]+")  # letters only


def _looks_like_name(text: str) -> bool:
    """'Nguyễn Văn An' or 'NGUYỄN THỊ HOA': 2-5 capitalised words starting with a family name.

    'Công an quận Hoàn Kiếm' (lower-case words), 'CA Ba Đình' (CA is no family
    name), 'Bệnh viện 19-8' (digits) and 'Hoàng Mai' as a district are refused
    one by one or, being few and repeated, as a column (see `_name_column`).
    """
    words = text.split()
    if not 2 <= len(words) <= 5 or not all(_WORD.fullmatch(w) for w in words):
        return False
    if not (all(w[0].isupper() and (w[1:].islower() or not w[1:]) for w in words)
            or all(w.isupper() for w in words)):
        return False
    return schema.fold_accents(words[0]).casefold() in SURNAMES


def _sample(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if len(values) > SAMPLE:
        values = values.sample(SAMPLE, random_state=0)
    return values


def _text_values(series: pd.Series) -> pd.Series | None:
    """The column's sampled values as stripped text, or None if it holds no text or numbers."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    values = _sample(series)
    if pd.api.types.is_numeric_dtype(dtype):
        # an ID or phone number stored as a number has lost its leading zeros
        values = pd.to_numeric(values, errors="coerce").dropna()
        values = values[(values % 1 == 0) & (values >= 0)]
        digits = values.astype("int64").astype(str)
        return digits.where(digits.str.len().between(9, 12), "")
    texts = values.astype(object).map(lambda v: unicodedata.normalize("NFC", str(v)).strip())
    return texts[texts != ""]


def _content_kind(series: pd.Series) -> str | None:
    texts = _text_values(series)
    if texts is None or texts.empty:
        return None
    compact = texts.str.replace(_SEPARATORS, "", regex=True)
    for kind, hits in (
        (EMAIL, texts.str.fullmatch(_EMAIL)),
        (ID_NUMBER, compact.str.fullmatch(_ID_DIGITS)),
        (PHONE, compact.str.fullmatch(_PHONE)),
    ):
        if hits.mean() > MOST:
            return kind
    if pd.api.types.is_numeric_dtype(series.dtype):
        # numbers that lost their leading zero: 912345678 (phone), 1090012345 (CCCD)
        return ID_NUMBER if (texts != "").mean() > MOST else None
    return NAME if _name_column(texts) else None


def _name_column(texts: pd.Series) -> bool:
    distinct = pd.Series(texts.unique())
    if len(distinct) < NAME_MIN_DISTINCT:
        return False
    names = distinct[distinct.map(_looks_like_name)]
    return (len(names) >= NAME_MIN_DISTINCT
            and len(names) / len(distinct) >= NAME_SHARE
            and texts.isin(set(names)).mean() >= NAME_SHARE)


# ------------------------------------------------------------------ dropping


def find_identifiers(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> kind of direct identifier ("name", "phone", "email", "id_number",
    "address", "birth_date"), by header first, then by content. Canonical visits
    columns (and headers the loader maps onto them) are never listed."""
    found: dict[str, str] = {}
    for i, column in enumerate(frame.columns):
        if _protected(column):
            continue
        kind = identifier_kind(column) or _content_kind(frame.iloc[:, i])
        if kind:
            found[column] = kind
    return found


def drop_identifiers(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame without its direct identifiers, and the names of the columns dropped.

    A full date of birth is dropped too; where the frame has no birth_year (or
    a birth_year with gaps) the year is taken from it first, as an Int64
    birth_year column. The frame passed in is not changed.
    """
    found = find_identifiers(frame)
    dropped = list(found)
    if not dropped:
        return frame.copy(deep=False), []
    out = frame.drop(columns=dropped)
    births = [c for c, kind in found.items() if kind == BIRTH_DATE]
    if births:
        year = _birth_year(frame, births)
        if "birth_year" in out:
            out["birth_year"] = out["birth_year"].fillna(year)
        else:
            out.insert(_birth_year_position(out, frame, births[0]), "birth_year", year)
    log.info("dropped %d column(s) of direct identifiers: %s",
             len(dropped), ", ".join(map(str, dropped)))
    return out, [str(c) for c in dropped]


def _birth_year_position(out: pd.DataFrame, frame: pd.DataFrame, birth_date) -> int:
    """Where a derived birth_year goes: after donor_id / visit_date as the schema orders
    the columns, else where the date of birth was."""
    before = CANONICAL[:CANONICAL.index("birth_year")]
    present = [i for i, c in enumerate(out.columns) if c in before]
    if present:
        return max(present) + 1
    first = list(frame.columns).index(birth_date)
    return sum(1 for c in list(frame.columns)[:first] if c in out.columns)


def dropped_message(dropped: Iterable[str]) -> str:
    """One line for a reader: which columns were dropped (names only, never values)."""
    names = list(dropped)
    if not names:
        return "no column of direct identifiers found"
    return (f"dropped {len(names)} column(s) holding direct identifiers of donors: "
            f"{', '.join(names)}")


def _birth_year(frame: pd.DataFrame, columns: list) -> pd.Series:
    """Year of birth (Int64) from full-date columns: the first that gives one, row by row."""
    year = np.full(len(frame), np.nan)
    for column in columns:
        year = np.where(np.isnan(year), _years_of(frame[column]), year)
    # born in a plausible year, and not in the future
    year[(year < schema.FIRST_YEAR) | (year > pd.Timestamp.now().year)] = np.nan
    return pd.Series(year, index=frame.index).astype("Int64")


def _years_of(series: pd.Series) -> np.ndarray:
    """The year of each value as floats (NaN where there is none)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.year.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = encode_values(series)  # each distinct date is parsed once
    years = np.array([_year_of(v) for v in uniques] + [None], dtype=float)  # None -> NaN
    return years[codes]


_YEAR_ONLY = re.compile(r"\d{4}")
_MONTH_YEAR = re.compile(r"\d{1,2}[-/.](\d{4})")


def _year_of(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer | float | np.floating):
        return int(value) if float(value).is_integer() and 1000 <= value <= 9999 else None
    if isinstance(value, str):
        text = value.strip()
        if _YEAR_ONLY.fullmatch(text):
            return int(text)
        if m := _MONTH_YEAR.fullmatch(text):
            return int(m.group(1))
    stamp, _ = parse_date(value)
    return None if stamp is None else stamp.year
