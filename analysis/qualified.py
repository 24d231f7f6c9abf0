"""Numbers that carry their published qualifier (exact, about, at least, at most).

"More than 28,000 units" is a lower bound, not 28,000. A figure computed from
bounds keeps the direction it can be trusted in: a lower bound times an exact
positive number is still a lower bound; a lower bound divided by a lower bound
is only "about". The rules below are the ones of interval arithmetic on
positive numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

QUALIFIERS = ("exact", "about", "at_least", "at_most")
_FLIP = {"at_least": "at_most", "at_most": "at_least", "exact": "exact", "about": "about"}


def _check(q: str) -> str:
    if q not in QUALIFIERS:
        raise ValueError(f"qualifier must be one of {', '.join(QUALIFIERS)}, got {q!r}")
    return q


def _same_direction(a: str, b: str) -> str:
    """Qualifier of a product or sum of two positive numbers."""
    if a == b:
        return a
    if a == "exact":
        return b
    if b == "exact":
        return a
    return "about"


@dataclass(frozen=True)
class Qualified:
    """A positive number with its qualifier."""

    value: float
    qualifier: str = "exact"

    def __post_init__(self) -> None:
        _check(self.qualifier)

    def _coerce(self, other: Qualified | float | int) -> Qualified:
        return other if isinstance(other, Qualified) else Qualified(float(other))

    def __mul__(self, other: Qualified | float | int) -> Qualified:
        o = self._coerce(other)
        return Qualified(self.value * o.value, _same_direction(self.qualifier, o.qualifier))

    __rmul__ = __mul__

    def __add__(self, other: Qualified | float | int) -> Qualified:
        o = self._coerce(other)
        return Qualified(self.value + o.value, _same_direction(self.qualifier, o.qualifier))

    __radd__ = __add__

    def __truediv__(self, other: Qualified | float | int) -> Qualified:
        o = self._coerce(other)
        return Qualified(self.value / o.value, _same_direction(self.qualifier, _FLIP[o.qualifier]))

    def __rtruediv__(self, other: float | int) -> Qualified:
        return Qualified(float(other)) / self
