"""The five input kinds: canonical columns, their types, header aliases and checks.

One place for each fact about an input file. `loaders` reads a file, maps its
headers onto these columns through the aliases, parses the values into these
types and runs `rules.frame_schema(kind)` (pandera) for the rules of the contract.
Every check is named after its rule, so the loader can word each failure for a
reader who never saw pandera.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from analysis.qualified import QUALIFIERS
from analysis.text.i18n import QUALIFIER_WORDS

KINDS = ("campaigns", "totals", "sessions", "timeseries", "visits")

# value types of a column
COUNT = "count"  # a whole number >= 0, stored as Int64
YEAR = "year"  # a calendar year, stored as Int64
DATE = "date"  # a day, stored as datetime64[ns] at midnight
TEXT = "text"  # a string, stored as object

DTYPES = {COUNT: "Int64", YEAR: "Int64", DATE: "datetime64[ns]", TEXT: object}
EXPECTED = {
    COUNT: "a whole number such as 26203 or 26.203",
    YEAR: "a four-digit year such as 1990",
    DATE: "a date such as 04/08/2023 (day first) or 2023-08-04",
    TEXT: "a value",
}

OUTCOMES = ("donated", "deferred")
SEXES = ("M", "F")
FIRST_YEAR = 1900  # no donor alive today was born before this


@dataclass(frozen=True)
class Column:
    """A canonical column of one kind."""

    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    may_be_empty: bool | None = None  # default: optional columns may, required ones may not

    @property
    def nullable(self) -> bool:
        return not self.required if self.may_be_empty is None else self.may_be_empty


# Header aliases, shared by every kind that has the column. Matching ignores
# case, spaces, underscores and Unicode normal form, and falls back to a match
# with the accents removed ("So luot" finds turns).
ALIASES: dict[str, tuple[str, ...]] = {
    "campaign_id": ("Mã chiến dịch", "Chiến dịch", "campaign", "campaign id"),
    "name": ("Tên", "Tên chiến dịch", "campaign name"),
    "organizer": ("Đơn vị tổ chức", "Ban tổ chức", "organiser"),
    "start_date": ("Ngày bắt đầu", "Từ ngày", "start", "start date"),
    "end_date": ("Ngày kết thúc", "Đến ngày", "end", "end date"),
    "target_units": ("Chỉ tiêu", "Chỉ tiêu (đơn vị máu)", "Chỉ tiêu đơn vị máu", "target"),
    "sessions_planned": ("Số buổi", "Số buổi dự kiến", "sessions"),
    "sites_planned": ("Số điểm", "Số điểm hiến máu", "sites"),
    "registered": ("Số đăng ký", "Đăng ký", "Số người đăng ký", "registrations"),
    "units_collected": ("Số đơn vị thu được", "Đơn vị máu thu được", "units collected"),
    "source_id": ("Nguồn", "Mã nguồn", "source"),
    "as_of": ("Tính đến ngày", "Tính đến", "Ngày", "date", "as of"),
    "turns": ("Số lượt", "Lượt hiến", "Lượt hiến máu", "Số lượt hiến máu", "Lượt"),
    # plain "Đơn vị" is left out on purpose: it also means an organisational unit
    "units": ("Số đơn vị máu", "Đơn vị máu", "Số đơn vị", "Số ĐVM", "ĐVM"),
    "qualifier": ("Mức độ", "Độ chính xác"),
    "session_date": ("Ngày", "Ngày hiến máu", "Ngày tổ chức", "date", "session date"),
    "site": ("Điểm hiến máu", "Địa điểm", "Điểm", "Nơi hiến máu", "location", "venue"),
    "deferred": ("Bị hoãn", "Số hoãn", "Hoãn", "Số bị hoãn", "Số lượt hoãn", "deferrals"),
    "volume_250": ("250ml", "Túi 250ml", "Thể tích 250ml"),
    "volume_350": ("350ml", "Túi 350ml", "Thể tích 350ml"),
    "volume_450": ("450ml", "Túi 450ml", "Thể tích 450ml"),
    "blood_a": ("Nhóm máu A", "Nhóm A", "Máu A", "A", "blood group A"),
    "blood_b": ("Nhóm máu B", "Nhóm B", "Máu B", "B", "blood group B"),
    "blood_ab": ("Nhóm máu AB", "Nhóm AB", "Máu AB", "AB", "blood group AB"),
    "blood_o": ("Nhóm máu O", "Nhóm O", "Máu O", "O", "blood group O"),
    "date": ("Ngày", "Thời gian", "Ngày hiến máu", "period"),
    "donations": (
        "Số lượt hiến",
        "Lượt hiến",
        "Số lượt",
        "Số lượt hiến máu",
        "Số đơn vị máu",
        "Đơn vị máu",
    ),
    "region": ("Khu vực", "Vùng", "Tỉnh", "Tỉnh/thành", "Tỉnh/thành phố", "Tỉnh thành", "Địa bàn",
               "Địa phương", "province", "state", "prefecture", "bang", "territory", "county",
               "district", "Quận/huyện", "negeri"),
    "donor_id": ("Mã người hiến", "Mã người hiến máu", "Mã số người hiến", "Mã NHM", "donor"),
    "visit_date": ("Ngày hiến", "Ngày hiến máu", "Ngày", "date", "visit date"),
    "birth_year": ("Năm sinh", "year of birth", "birth year"),
    "sex": ("Giới tính", "Giới", "gender"),
    "volume_ml": ("Thể tích (ml)", "Thể tích", "Lượng máu (ml)", "volume", "volume (ml)"),
    "outcome": ("Kết quả", "result"),
}


def _col(name: str, type_: str, required: bool = False, **kw) -> Column:
    return Column(name, type_, required, (name, *ALIASES.get(name, ())), **kw)


_QUALIFIER_COLUMNS = tuple(
    _col(f"{name}_qualifier", TEXT, allowed=QUALIFIERS)
    for name in ("target", "registered", "units_collected")
)
_BLOOD = tuple(_col(f"blood_{g}", COUNT) for g in ("a", "b", "ab", "o"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    "campaigns": (
        _col("campaign_id", TEXT, True),
        # 2022's dates and some targets were never published: empty is allowed
        _col("start_date", DATE, True, may_be_empty=True),
        _col("end_date", DATE, True, may_be_empty=True),
        _col("target_units", COUNT, True, may_be_empty=True),
        _col("name", TEXT),
        _col("organizer", TEXT),
        _col("sessions_planned", COUNT),
        _col("sites_planned", COUNT),
        _col("registered", COUNT),
        _col("units_collected", COUNT),
        _col("source_id", TEXT),
        *_QUALIFIER_COLUMNS,
    ),
    "totals": (
        _col("as_of", DATE, True),
        _col("turns", COUNT, True),
        _col("units", COUNT, True),
        _col("qualifier", TEXT, allowed=QUALIFIERS),
        _col("source_id", TEXT),
    ),
    "sessions": (
        _col("session_date", DATE, True),
        _col("site", TEXT, True),
        # a sheet kept during a campaign lists the sessions to come with empty units
        _col("units", COUNT, True, may_be_empty=True),
        _col("campaign_id", TEXT),
        _col("registered", COUNT),
        _col("turns", COUNT),
        _col("deferred", COUNT),
        _col("volume_250", COUNT),
        _col("volume_350", COUNT),
        _col("volume_450", COUNT),
        *_BLOOD,
    ),
    "timeseries": (
        _col("date", DATE, True),
        _col("donations", COUNT, True),
        _col("region", TEXT),
        *_BLOOD,
    ),
    "visits": (
        _col("donor_id", TEXT, True),
        _col("visit_date", DATE, True),
        _col("birth_year", YEAR),
        _col("sex", TEXT, allowed=SEXES),
        _col("volume_ml", COUNT),
        _col("site", TEXT),
        _col("outcome", TEXT, allowed=OUTCOMES),
    ),
}

# Rows that must not repeat; a key column the file lacks is left out.
KEYS: dict[str, tuple[str, ...]] = {
    "campaigns": ("campaign_id",),
    "totals": ("as_of",),
    "sessions": ("session_date", "site", "campaign_id"),
    "timeseries": ("date", "region"),
    "visits": ("donor_id", "visit_date"),
}

# (smaller, larger, unless): smaller <= larger wherever both are given; the
# pair is skipped on rows where `unless` is given (it is checked in two steps).
ORDER: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "totals": (("units", "turns", None),),
    "sessions": (
        ("units", "turns", None),
        ("turns", "registered", None),
        ("units", "registered", "turns"),
        ("deferred", "turns", None),
    ),
}

# The column each kind's breakdowns add up to.
BREAKDOWN_TOTAL = {"sessions": "units", "timeseries": "donations"}


def columns(kind: str) -> tuple[Column, ...]:
    """The canonical columns of `kind`, required first."""
    return COLUMNS[kind]


def column(kind: str, name: str) -> Column | None:
    return next((c for c in COLUMNS[kind] if c.name == name), None)


def required(kind: str) -> tuple[str, ...]:
    return tuple(c.name for c in COLUMNS[kind] if c.required)


def date_columns(kind: str) -> tuple[str, ...]:
    return tuple(c.name for c in COLUMNS[kind] if c.type == DATE)


def count_columns(kind: str) -> tuple[str, ...]:
    return tuple(c.name for c in COLUMNS[kind] if c.type == COUNT)


# ---------------------------------------------------------------- header matching


def fold_accents(text: str) -> str:
    """'Số lượt' -> 'So luot' (đ is a letter of its own, not an accent)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Characters that show as nothing: taken out of every text and header on load, so that
# "Site A" and "Site A\u200b" are one site.
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def header_key(text: object) -> str:
    """A header as compared: NFC, case-folded, without spaces, underscores or a trailing ':'/'*'."""
    key = unicodedata.normalize("NFC", str(text)).translate(ZERO_WIDTH).casefold()
    key = re.sub(r"[\s_]+", "", key)
    return key.rstrip(":*")


def folded_key(text: object) -> str:
    return header_key(fold_accents(unicodedata.normalize("NFC", str(text))))


@cache
def alias_index(kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """Two lookups header key -> canonical name: exact, then accents removed."""
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for col in COLUMNS[kind]:
        for alias in col.aliases:
            exact.setdefault(header_key(alias), col.name)
            folded.setdefault(folded_key(alias), col.name)
    return exact, folded


def canonical_for(header: object, kind: str) -> str | None:
    """The canonical column a file header stands for in `kind`, if any."""
    exact, folded = alias_index(kind)
    return exact.get(header_key(header)) or folded.get(folded_key(header))


def is_known_header(header: object) -> bool:
    """The header names a column of some input kind."""
    return any(canonical_for(header, kind) for kind in KINDS)


# ------------------------------------------------------------ value vocabularies


def _vocabulary(words: dict[str, Iterable[str]]) -> dict[str, str]:
    return {folded_key(w): value for value, ws in words.items() for w in (value, *ws)}


# Written forms analysts use, mapped onto the canonical values.
SEX_WORDS = _vocabulary(
    {"M": ("Nam", "male", "man", "m"), "F": ("Nữ", "female", "woman", "f")}
)
OUTCOME_WORDS = _vocabulary(
    {
        "donated": ("đã hiến", "hiến", "hiến máu", "đã hiến máu", "donation"),
        "deferred": ("hoãn", "bị hoãn", "tạm hoãn", "hoãn hiến", "deferral"),
    }
)
QUALIFIER_VOCAB = _vocabulary(
    {
        q: (q.replace("_", " "), *(words[q] for words in QUALIFIER_WORDS.values() if words[q]))
        for q in QUALIFIERS
    }
)
VOCABULARIES = {"sex": SEX_WORDS, "outcome": OUTCOME_WORDS}


def vocabulary(name: str) -> dict[str, str] | None:
    """The written forms accepted for column `name`, keyed by folded_key."""
    if name == "qualifier" or name.endswith("_qualifier"):
        return QUALIFIER_VOCAB
    return VOCABULARIES.get(name)


# ---------------------------------------------------------------- frame checks


def breakdown_groups(frame: pd.DataFrame, kind: str) -> list[tuple[str, list[str]]]:
    """(total, parts) whose parts must not add up to more than the total: the groups the loader
    found or was told (`attrs["breakdowns"]`, see `inputs.breakdowns`); else blood_a…blood_o and
    volume_250…volume_450, and a time series' whole-number columns by their prefix before '_'."""
    total = BREAKDOWN_TOTAL.get(kind)
    if total is None or total not in frame:
        return []
    if "breakdowns" in frame.attrs:
        groups = [(g["total"], [p for p in g["parts"] if p in frame]) for g in frame.attrs["breakdowns"]]
        return [(t, parts) for t, parts in groups if t in frame and parts]
    known = {c.name for c in COLUMNS[kind]}
    groups: dict[str, list[str]] = {}
    for name in frame.columns:
        if name in known:
            is_part = str(name).startswith(("blood_", "volume_"))
        else:
            is_part = kind == "timeseries" and str(frame[name].dtype) == "Int64"
        if is_part:
            groups.setdefault(str(name).split("_", 1)[0], []).append(name)
    return [(total, parts) for parts in groups.values()]


def breakdowns_ok(frame: pd.DataFrame, kind: str) -> pd.Series:
    ok = pd.Series(True, index=frame.index)
    for total, parts in breakdown_groups(frame, kind):
        over = frame[parts].sum(axis=1, min_count=1) > frame[total]
        ok &= ~over.fillna(False).astype(bool)
    return ok


def order_ok(frame: pd.DataFrame, small: str, big: str, unless: str | None) -> pd.Series:
    if small not in frame or big not in frame:
        return pd.Series(True, index=frame.index)
    over = (frame[small] > frame[big]).fillna(False).astype(bool)
    if unless is not None and unless in frame:
        over &= frame[unless].isna()
    return ~over


def key_columns(frame: pd.DataFrame, kind: str) -> list[str]:
    return [k for k in KEYS[kind] if k in frame]


def not_repeated(frame: pd.DataFrame, kind: str) -> pd.Series:
    """False on every row whose key repeats an earlier row (rows with an empty key pass)."""
    keys = key_columns(frame, kind)
    if not keys:
        return pd.Series(True, index=frame.index)
    numbered = _row_keys(frame, keys)
    if numbered is None:
        complete = frame[keys].notna().all(axis=1).to_numpy()
        repeated = frame[keys].duplicated(keep="first").to_numpy()
    else:  # one integer a row: ten million of them are sorted in a tenth of a second
        key, complete = numbered
        repeated = _duplicated(key)
    return pd.Series(~(repeated & complete), index=frame.index)


def _duplicated(key: np.ndarray) -> np.ndarray:
    """`duplicated(keep="first")` of integers: a sort tells whether any repeats at all
    (the usual answer is no), and only then pandas says which."""
    ordered = np.sort(key)
    if not (ordered[1:] == ordered[:-1]).any():
        return np.zeros(len(key), dtype=bool)
    return pd.Series(key).duplicated(keep="first").to_numpy()


_DAY_NS = 86_400_000_000_000
_NAT = np.iinfo(np.int64).min


def _row_keys(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """One int64 per row, equal exactly when the rows' key columns are, and whether the
    row's key is complete (None: too many combinations to number them so)."""
    key = np.zeros(len(frame), dtype=np.int64)
    complete = np.ones(len(frame), dtype=bool)
    size = 1
    for name in keys:
        codes, count = _column_codes(frame[name])
        size *= count + 1
        if size >= 2**62:
            return None
        complete &= codes >= 0
        key = key * (count + 1) + (codes.astype(np.int64) + 1)  # an empty cell is 0
    return key, complete


def _column_codes(series: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0..count-1 of a column's values (-1 where empty), equal where the values are."""
    if isinstance(series.dtype, pd.CategoricalDtype):  # categories are distinct
        return np.asarray(series.cat.codes), len(series.cat.categories)
    if series.dtype == "datetime64[ns]":  # dates are parsed to days: number the days
        ns = series.to_numpy().view(np.int64)
        days = ns // _DAY_NS
        given = ns != _NAT
        everywhere = bool(given.all())
        some_ns, some_days = (ns, days) if everywhere else (ns[given], days[given])
        if some_days.size and (some_days * _DAY_NS == some_ns).all():
            low, high = some_days.min(), some_days.max()
            if high - low < 2**31:
                codes = days - low
                if not everywhere:
                    codes[~given] = -1
                return codes, int(high - low) + 1
    codes, uniques = pd.factorize(series)
    return codes, len(uniques)


def dates_in_order(frame: pd.DataFrame) -> pd.Series:
    if "start_date" not in frame or "end_date" not in frame:
        return pd.Series(True, index=frame.index)
    return ~(frame["start_date"] > frame["end_date"]).fillna(False).astype(bool)


def birth_year_ok(frame: pd.DataFrame) -> pd.Series:
    """A donor is not born after the visit."""
    if "birth_year" not in frame or "visit_date" not in frame:
        return pd.Series(True, index=frame.index)
    late = (frame["birth_year"] > frame["visit_date"].dt.year).fillna(False).astype(bool)
    return ~late


@dataclass(frozen=True)
class FrameRule:
    """A check across columns: `fn(frame)` is False on each row that breaks it."""

    fn: object
    rule: str
    error: str
    stats: dict


def frame_rules(kind: str) -> list[FrameRule]:
    """The checks across columns: order of counts, breakdowns, repeated keys, date order."""
    rules = [
        FrameRule(lambda f, s=s, b=b, u=u: order_ok(f, s, b, u), "order",
                  f"{s} must not exceed {b}", {"small": s, "big": b, "unless": u})
        for s, b, u in ORDER.get(kind, ())
    ]
    if kind in BREAKDOWN_TOTAL:
        rules.append(FrameRule(lambda f: breakdowns_ok(f, kind), "breakdown",
                               f"breakdowns must not exceed {BREAKDOWN_TOTAL[kind]}", {}))
    rules.append(FrameRule(lambda f: not_repeated(f, kind), "repeated",
                           f"one row per {' + '.join(KEYS[kind])}", {}))
    if kind == "campaigns":
        rules.append(FrameRule(dates_in_order, "date_order", "start_date <= end_date", {}))
    if kind == "visits":
        rules.append(FrameRule(birth_year_ok, "born_after_visit", "birth_year <= visit year", {}))
    return rules
