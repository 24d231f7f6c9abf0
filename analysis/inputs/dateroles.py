"""Which column of a date written in parts is the year, the month, the day, the week or the
quarter, and the grain the parts give (see `dateparts`)."""

from __future__ import annotations

import re

from analysis.inputs import schema

ROLES = ("year", "month", "day", "week", "quarter")
# the combinations a date may be made of, and the grain each gives
GRAINS = {
    frozenset({"year"}): "year",
    frozenset({"year", "month"}): "month",
    frozenset({"year", "month", "day"}): "day",
    frozenset({"year", "week"}): "week",
    frozenset({"year", "quarter"}): "quarter",
}
ROLE_WORDS = {
    "year": ("year", "yr", "nam", "y", "yyyy"),
    "month": ("month", "thang", "mon", "m", "mm", "th"),
    "day": ("day", "ngay", "d", "dd"),
    "week": ("week", "tuan", "wk", "w", "isoweek"),
    "quarter": ("quarter", "quy", "qtr", "q"),
}

def is_date_mapping(value: object) -> bool:
    """A mapping value that names a date's parts: a list of headers, or {role: header}."""
    if isinstance(value, list | tuple):
        return 1 <= len(value) <= 3 and all(isinstance(v, str) and v.strip() for v in value)
    if isinstance(value, dict):
        return (1 <= len(value) <= 3 and all(k in ROLES for k in value)
                and all(isinstance(v, str) and v.strip() for v in value.values()))
    return False


def roles_of(value: list | tuple | dict) -> dict[str, str] | str:
    """{role: header} of a date mapped to parts, or what is wrong with it."""
    if isinstance(value, dict):
        roles = dict(value)
    else:
        guessed = [role_of(h) for h in value]
        if all(guessed) and len(set(guessed)) == len(guessed):
            roles = dict(zip(guessed, value, strict=True))
        else:
            roles = dict(zip(("year", "month", "day"), value, strict=False))
    if frozenset(roles) not in GRAINS:
        return (f"parts {', '.join(roles)} do not make a date, expected [year, month], "
                "[year, month, day], [year, week], [year, quarter] or [year]")
    return roles


def role_of(header: str) -> str | None:
    """year, month, day, week or quarter, when the header names one of them."""
    key = schema.folded_key(header)
    key = re.sub(r"[^a-z]", "", key)
    return next((role for role, words in ROLE_WORDS.items() if key in words), None)


def grain_of(roles) -> str:
    return GRAINS[frozenset(roles)]


