"""Donor privacy: direct identifiers dropped, donor ids pseudonymised, small cells suppressed.

Donor records are sensitive personal data (health data under Decree
13/2023/NĐ-CP). A visits file may arrive with names, phone numbers, ID-card
numbers, e-mail or postal addresses and dates of birth; `protect_visits`
removes them before anything else sees the frame and replaces donor_id with a
keyed hash, so the same donor keeps the same pseudonym from run to run while
the original id cannot be recovered without the key.

Nothing here ever puts a cell value into a message, a warning or a log line:
only column names (and file paths of the key) are reported.

    drop_identifiers(frame)      -> (frame, dropped column names)
    pseudonymise(ids, key)       -> pseudonyms (16 hex characters)
    pseudonym_categorical(ids, key) -> the same as a categorical (each pseudonym held once)
    load_key()                   -> the key (env var, or a key file outside the repository)
    protect_visits(frame)        -> (frame, dropped column names): both of the above
    suppress_small(counts, 5)    -> counts below 5 replaced by NA
    format_small(counts, 5)      -> the same counts as display text, small ones as "<5"
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import stat
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import config, i18n, schema

log = logging.getLogger(__name__)

# Never dropped, whatever their header or content: the visits kind's own columns.
CANONICAL = tuple(c.name for c in schema.columns("visits"))

KEY_ENV = "WORKBOOK_PSEUDONYM_KEY"
KEY_FILE_ENV = "WORKBOOK_KEY_FILE"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
PSEUDONYM_HEX = 16  # 64 bits; see `pseudonymise` for the collision odds

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
    codes, uniques = _factorize(series)  # each distinct date is parsed once
    years = np.array([_year_of(v) for v in uniques] + [None], dtype=float)  # None -> NaN
    return years[codes]


_YEAR_ONLY = re.compile(r"\d{4}")
_MONTH_YEAR = re.compile(r"\d{1,2}[-/.](\d{4})")


def _year_of(value: object) -> int | None:
    from analysis.loaders import parse_date  # the workbook's one reading of dates

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


# ------------------------------------------------------------------ pseudonyms


def pseudonymise(ids: pd.Series, key: bytes, length: int = PSEUDONYM_HEX) -> pd.Series:
    """A keyed pseudonym for each id: HMAC-SHA256(key, id) as `length` hex characters.

    The id is hashed as its text, NFC-normalised and stripped of surrounding
    spaces, with whole numbers written without ".0", so 1234, 1234.0, "1234"
    and " 1234 " get one pseudonym. Empty ids stay NA. The result is a
    string[pyarrow] Series with the same index and name.

    Collisions: 16 hex characters are 64 bits. Among n distinct donors the
    chance that any two share a pseudonym is about n² / 2⁶⁵: 3·10⁻⁸ for a
    million donors, 3·10⁻⁶ for ten million. Pass a larger `length` (up to 64)
    if that is not small enough.

    Each distinct id is hashed once and mapped back to the rows through
    factorize codes, so the cost follows the number of donors, not of visits.
    """
    codes, pseudonyms = _pseudonym_codes(ids, key, length)
    if len(pseudonyms) == 0:
        return pd.Series(pd.NA, index=ids.index, name=ids.name, dtype="string[pyarrow]")
    taken = pa.array(pseudonyms, type=pa.string()).take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=ids.index, name=ids.name)


def pseudonym_categorical(ids: pd.Series, key: bytes, length: int = PSEUDONYM_HEX) -> pd.Series:
    """`pseudonymise` as a categorical: each pseudonym held once, categories in order of
    first appearance (so the same rows give the same frame whatever the file format).

    Ten million visits of 2.6 million donors take 40 MB of codes and the
    pseudonyms once, where a column of strings would take a string a row.
    """
    codes, pseudonyms = _pseudonym_codes(ids, key, length)
    if _in_order_of_appearance(codes):  # ids read from a CSV already are: nothing to renumber
        order, seen = codes, np.arange(int(codes.max()) + 1 if codes.size else 0)
    else:
        given = codes >= 0
        order = np.full(len(codes), -1, dtype=np.int32 if len(pseudonyms) < 2**31 else np.int64)
        first_seen, seen = pd.factorize(codes[given] if not given.all() else codes)
        order[given] = first_seen
    categories = pd.Index(np.asarray(pseudonyms, dtype=object)[seen], dtype=object)
    try:
        values = pd.Categorical.from_codes(order, categories=categories, validate=False)
    except ValueError:  # two ids with one 64-bit pseudonym (odds ~n²/2⁶⁵): they become one
        merged, distinct = pd.factorize(categories.to_numpy())
        values = pd.Categorical.from_codes(np.append(merged, -1)[order],
                                           categories=pd.Index(distinct, dtype=object))
    return pd.Series(values, index=ids.index, name=ids.name)


def _in_order_of_appearance(codes: np.ndarray) -> bool:
    """Codes with no gap (-1) numbering their values 0, 1, 2... as each first appears."""
    if codes.size == 0 or codes.min() < 0:
        return False
    seen = np.maximum.accumulate(codes)
    return bool(seen[0] == 0 and not (np.diff(seen) > 1).any())


def _pseudonym_codes(ids: pd.Series, key: bytes, length: int) -> tuple[np.ndarray, list[str]]:
    """Codes of the rows (-1: no id) into the pseudonyms of the distinct ids of `ids`.

    Ids written differently that `_id_text` makes one (spaces, '.0') share one
    pseudonym; ids that are already tidy text, as the loader leaves them, are
    hashed as they are and not merged again.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("the pseudonym key must be non-empty bytes")
    if not 8 <= length <= 64:
        raise ValueError(f"length must be between 8 and 64 hex characters, got {length}")
    codes, uniques = _factorize(ids)
    if len(uniques) == 0:
        return np.full(len(ids), -1, dtype=np.intp), []
    texts, as_given = _id_texts(uniques)
    digests = _hmac_hex(bytes(key), texts, length)
    if as_given:
        return np.asarray(codes), digests
    pseudo_codes, pseudonyms = pd.factorize(np.array(digests, dtype=object))
    # ids that differ only in spaces or '.0' share one pseudonym: map both codes onto it
    codes = np.where(codes >= 0, pseudo_codes.take(codes, mode="clip"), -1)
    return codes, pseudonyms.astype(object).tolist()


# text that _id_text leaves as it is: printable ASCII, no space at either end
_TIDY_ID = r"^[!-~](?:[ -~]*[!-~])?$"


def _id_texts(uniques: list) -> tuple[list, bool]:
    """`_id_text` of each distinct id, and whether every one is the id itself.

    Many ids (a donor file) are checked at once by Arrow; only the others are
    looked at one by one.
    """
    if len(uniques) >= 512:
        try:
            text = pa.array(uniques, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
            text = None
        if text is not None:
            tidy = pc.match_substring_regex(text, _TIDY_ID).to_numpy(zero_copy_only=False)
            texts = list(uniques)
            for k in np.flatnonzero(~tidy):
                texts[k] = _id_text(uniques[k])
            return texts, bool(tidy.all())
    texts = [_id_text(v) for v in uniques]
    return texts, all(type(v) is str and t == v for v, t in zip(uniques, texts, strict=True))


def _factorize(ids: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 for NA) and distinct values: the loader's own column encoding."""
    from analysis.loaders import encode_values

    return encode_values(ids)


def _id_text(value: object) -> str | None:
    if type(value) is str:
        text = value.strip()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return text or None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _hmac_hex(key: bytes, texts: Iterable[str | None], length: int) -> list[str | None]:
    """HMAC-SHA256 (RFC 2104) of many messages under one key.

    Same result as `hmac.new(key, msg, "sha256")`; the padded key's inner and
    outer states are hashed once and copied for each message, which is about
    twice as fast as building an HMAC object per id.
    """
    block = 64
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner_copy, outer_copy = inner.copy, outer.copy  # bound once: this loop runs per donor
    out: list[str | None] = []
    append = out.append
    for text in texts:
        if text is None:
            append(None)
            continue
        i = inner_copy()
        i.update(text.encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        append(o.hexdigest()[:length])
    return out


# ----------------------------------------------------------------------- the key


class PseudonymKeyError(ValueError):
    """The pseudonym key cannot be used (where it is, or what it holds)."""


def default_key_file() -> Path:
    return Path.home() / ".config" / "giotmau-workbook" / "pseudonym.key"


def key_file() -> Path:
    """Where the key file is: $WORKBOOK_KEY_FILE, else ~/.config/giotmau-workbook/pseudonym.key."""
    named = os.environ.get(KEY_FILE_ENV, "").strip()
    return Path(named).expanduser().absolute() if named else default_key_file()


def load_key() -> bytes:
    """The key of the pseudonyms.

    From $WORKBOOK_PSEUDONYM_KEY (hex digits are read as bytes, anything else
    as UTF-8 text), else from the key file (`key_file()`), which is created on
    first use with 32 random bytes (written as 64 hex digits, mode 0600). The
    same key gives the same pseudonyms: keep the file (or its contents, which
    work as $WORKBOOK_PSEUDONYM_KEY) as long as results must stay comparable,
    and never inside the repository or a reports folder.
    """
    text = os.environ.get(KEY_ENV)
    if text is not None:
        if not text.strip():
            raise PseudonymKeyError(f"${KEY_ENV} is set but empty: unset it or give a key")
        return _checked_strength(_key_from_text(text), f"${KEY_ENV}")
    path = key_file()
    _check_location(path)
    try:
        if not path.exists():
            _create_key_file(path)
        return _read_key_file(path)
    except OSError as exc:
        raise PseudonymKeyError(
            f"the pseudonym key file {path} cannot be read or created ({exc.strerror}): "
            f"fix that, or point ${KEY_FILE_ENV} at another file, or set ${KEY_ENV}") from None


def _key_from_text(text: str) -> bytes:
    text = text.strip()
    if len(text) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", text):
        return bytes.fromhex(text)
    return text.encode("utf-8")


def _checked_strength(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        warnings.warn(f"the pseudonym key from {where} is short ({len(key)} bytes): "
                      f"use {KEY_BYTES} random bytes, e.g. python -c "
                      "'import secrets; print(secrets.token_hex(32))'", stacklevel=3)
    return key


def _check_location(path: Path) -> None:
    """Refuse a key file in the repository or in a reports folder (both get shared)."""
    candidates = {path, path.resolve()}
    root, reports = config.ROOT.resolve(), config.REPORTS.resolve()
    for p in candidates:
        if p.is_relative_to(root) or p.is_relative_to(config.ROOT):
            raise PseudonymKeyError(
                f"the pseudonym key file {path} is inside the project ({config.ROOT}), where "
                "it could be committed or shared: keep it outside, e.g. the default "
                f"{default_key_file()}, or set ${KEY_FILE_ENV} / ${KEY_ENV}")
        if p.is_relative_to(reports) or any(part.casefold() == "reports" for part in p.parent.parts):
            raise PseudonymKeyError(
                f"the pseudonym key file {path} is inside a reports folder, which is handed "
                f"to readers: keep it outside, e.g. the default {default_key_file()}, or set "
                f"${KEY_FILE_ENV} / ${KEY_ENV}")


def _create_key_file(path: Path) -> None:
    """Write a new random key; if another process wins the race, its key is kept."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode("ascii")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pseudonym-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails if the file exists
        except FileExistsError:
            return
        except OSError:  # a file system without hard links
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    finally:
        Path(tmp).unlink(missing_ok=True)
    log.info("created a new pseudonym key file at %s: keep it (and back it up) to keep "
             "pseudonyms comparable between runs", path)


def _read_key_file(path: Path) -> bytes:
    if not path.is_file():
        raise PseudonymKeyError(f"the pseudonym key file {path} is not a file")
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        warnings.warn(f"the pseudonym key file {path} can be read by other users: "
                      f"chmod 600 {path}", stacklevel=3)
    raw = path.read_bytes()
    try:
        key = _key_from_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        key = raw
    if not key:
        raise PseudonymKeyError(f"the pseudonym key file {path} is empty: delete it to have "
                                "a new one made (pseudonyms will change) or restore it")
    return _checked_strength(key, str(path))


# ------------------------------------------------------------------ visits


# Simulated donors are no one: their pseudonyms need no secret, and no key file is made.
SIMULATED_KEY = b"simulated-donors-public-key"


def protect_visits(frame: pd.DataFrame, key: bytes | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Drop direct identifiers, then pseudonymise donor_id with `key` (default `load_key()`).

    Returns the protected frame and the names of the columns dropped.
    """
    out, dropped = drop_identifiers(frame)
    if "donor_id" in out:
        out["donor_id"] = pseudonym_categorical(out["donor_id"],
                                                key if key is not None else load_key())
    return out, dropped


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
