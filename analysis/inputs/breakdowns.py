"""Which columns of a time series break its total down, and which add up to which.

- A column is a breakdown when its header names one (blood groups, bag volumes,
  age bands, new / repeat donors, sex: `recognised`), or when the analyst declares
  it in `*_breakdowns`. Each recognised kind is a group of its own; a group's parts
  must not add up to more than the total.
- `*_breakdowns` is a list of columns, one group whose parts add up to at most the
  total; an item `{whole_blood: [bag_250, bag_350]}` nests a group under its column
  (the bags add up to at most whole_blood, itself a part of the total); a list of
  lists is several independent groups; a mapping `{whole_blood: [...], components:
  [...]}` is the group of its keys, each with its own parts.
- A row-number column (STT, No., #) is left out without a word. Any other column is
  ignored: the loaded frame lists it in `attrs["ignored_columns"]`, a note says so,
  and the report names it (map it to null to leave it out quietly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.inputs import schema
from analysis.inputs.problems import Problem, _Context, quote

TOTAL = "donations"


@dataclass(frozen=True)
class Group:
    """Parts that add up to at most `total`; `name` says what they break down (a label key)."""

    total: str
    parts: tuple[str, ...]
    name: str


@dataclass
class Plan:
    """What becomes of a time series' columns beyond date, donations and region."""

    counts: set[str] = field(default_factory=set)  # parsed as whole numbers
    groups: list[Group] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # dropped, and said
    silent: list[str] = field(default_factory=list)  # dropped without a word (row numbers)
    problems: list[Problem] = field(default_factory=list)


# Headers recognised as a breakdown, by the group they belong to. Matched on the header as
# compared (case, spaces, underscores aside); with accents only where dropping them would
# make a different word ("Năm" is a year, "Nam" men).
_WORDS = {
    "donor_type": ("new", "newdonors", "new donors", "firsttime", "first time", "firsttimedonors",
                   "repeat", "repeatdonors", "repeat donors", "returning", "returningdonors", "regular",
                   "regulardonors", "irregular", "irregulardonors", "lapsed", "reactivated", "mới",
                   "người mới", "hiến lần đầu", "lần đầu", "nhắc lại", "hiến nhắc lại", "hiến lại",
                   "thường xuyên", "không thường xuyên", "người hiến mới", "người hiến nhắc lại"),
    "sex": ("male", "female", "men", "women", "nam", "nữ", "giới nam", "giới nữ"),
}
_EXACT = {schema.header_key(w): group for group, words in _WORDS.items() for w in words}
_VOLUME = re.compile(r"^(?:volume|tui|thetich|bag|wb)?(\d{3})ml$")
_AGE_PREFIX = r"(?:age|agegroup|tuoi|dotuoi|nhomtuoi)?"
_AGE = (
    re.compile(_AGE_PREFIX + r"(?P<a>\d{2})(?:-|–|to|den)(?P<b>\d{2})(?:tuoi)?$"),
    re.compile(r"(?:age|agegroup|tuoi|dotuoi|nhomtuoi)(?P<a>\d{2})(?P<b>\d{2})$"),
    re.compile(_AGE_PREFIX + r"\d{2}(?:plus|\+|trolen|andover|over)(?:tuoi)?$"),
    re.compile(_AGE_PREFIX + r"(?:<|duoi|under|>|tren|over)\d{2}(?:tuoi)?$"),
)


def _is_age_band(compact: str) -> bool:
    for pattern in _AGE:
        if m := pattern.match(compact):
            return "a" not in m.groupdict() or int(m["a"]) < int(m["b"])
    return False


def recognised(name: str, header: str | None = None) -> str | None:
    """The group a column is recognised by (blood, volume, age, donor_type, sex), or None."""
    for text in (name, header):
        if not text:
            continue
        key = schema.header_key(text)
        if key in _EXACT:
            return _EXACT[key]
        folded = schema.folded_key(text)
        canonical = schema.canonical_for(text, "sessions")
        if canonical and canonical.startswith("blood_"):
            return "blood"
        if canonical and canonical.startswith("volume_") or _VOLUME.match(folded):
            return "volume"
        if _is_age_band(re.sub(r"[\s_]", "", folded)):
            return "age"
    return None


def is_row_number(header: str) -> bool:
    """STT, No., #, TT, Số TT: a column that numbers the rows."""
    key = schema.folded_key(header).rstrip(".")
    return key in {"stt", "no", "#", "tt", "sott", "sothutu", "thutu", "rowno", "rownumber", "nr"}


def plan(columns: list[str], ctx: _Context, declared: object = None) -> Plan:
    """The role of each column of a time series that is not one of its own columns."""
    known = {c.name for c in schema.columns("timeseries")}
    out = Plan()
    by_key: dict[str, str] = {}
    for name in columns:
        for text in (name, ctx.header(name)):
            by_key.setdefault(schema.folded_key(text), name)
    if declared is not None:
        for group in _declared_groups(declared, TOTAL, "declared"):
            parts = tuple(_resolve(p, by_key, ctx, out) for p in group.parts)
            total = group.total if group.total == TOTAL else _resolve(group.total, by_key, ctx, out)
            if None in parts or total is None:
                continue
            out.groups.append(Group(total, parts, group.name))
            out.counts.update(parts)
            out.counts.add(total)
    taken = {p for g in out.groups for p in g.parts} | {g.total for g in out.groups}
    found: dict[str, list[str]] = {}
    for name in columns:
        if name in taken or name in (TOTAL, "date", "region"):
            continue
        header = ctx.header(name)
        if name in known and not name.startswith("blood_"):
            continue
        group = recognised(name, header)
        if group:
            found.setdefault(group, []).append(name)
            out.counts.add(name)
        elif is_row_number(header):
            out.silent.append(name)
        else:
            out.ignored.append(name)
    out.groups += [Group(TOTAL, tuple(parts), group) for group, parts in found.items()]
    return out


def _resolve(text: str, by_key: dict[str, str], ctx: _Context, out: Plan) -> str | None:
    name = by_key.get(schema.folded_key(text))
    if name is None:
        out.problems.append(Problem(ctx.file, None, None,
                                    f"the breakdowns name {quote(text)}, but no column is headed so, "
                                    "expected a header of the file"))
    return name


def _declared_groups(spec: object, total: str, name: str) -> list[Group]:
    """The groups a `*_breakdowns` value declares (names as given, resolved later)."""
    if isinstance(spec, str):
        return [Group(total, (spec,), name)]
    if isinstance(spec, dict):
        groups = [Group(total, tuple(str(k) for k in spec), name)]
        for parent, parts in spec.items():
            groups += _declared_groups(parts, str(parent), str(parent))
        return groups
    if isinstance(spec, list) and spec and all(isinstance(item, list) for item in spec):
        return [g for k, item in enumerate(spec) for g in _declared_groups(item, total, f"{name}_{k + 1}")]
    if isinstance(spec, list):
        parts: list[str] = []
        nested: list[Group] = []
        for item in spec:
            if isinstance(item, dict):
                parts += [str(k) for k in item]
                for parent, sub in item.items():
                    nested += _declared_groups(sub, str(parent), str(parent))
            else:
                parts.append(str(item))
        return [Group(total, tuple(parts), name), *nested]
    return []
