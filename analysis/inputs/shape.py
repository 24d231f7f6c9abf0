"""The shape of an analyst's table as it really is: a date in parts, columns left out, row
numbers, and notes typed under the table.

- A column mapping may give a date as a list of columns (see `dateparts`); it is
  flattened here into one mapping entry a part ('date⟨month⟩': 'Tháng').
- A mapping to None (`{"Ghi chú": null}`) leaves the column out without a word; a
  canonical name mapped to None (`{"region": null}`) leaves out the column that would
  otherwise be taken for it.
- Text in the first column with every other cell empty, in the last rows of a table,
  is a note or a footnote ("Nguồn: ..."): those rows are skipped, with a note saying so.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

from analysis.errors import InputNote
from analysis.inputs import schema
from analysis.inputs.dateparts import part_name
from analysis.inputs.dateroles import roles_of
from analysis.inputs.problems import Problem, _is_blank, quote
from analysis.inputs.values import parse_count, parse_date


def flatten(mapping: dict[str, object]) -> tuple[dict[str, str], list[str]]:
    """({name or a date's part: header}, names mapped to None) of a checked mapping."""
    flat: dict[str, str] = {}
    left_out: list[str] = []
    for name, value in mapping.items():
        if value is None:
            left_out.append(name)
        elif isinstance(value, str):
            flat[name] = value
        else:
            for role, header in roles_of(value).items():
                flat[part_name(name, role)] = header
    return flat, left_out


def leave_out(header: list[str], body: pd.DataFrame, names: list[str], kind: str, file: str,
              header_row: int) -> tuple[list[str], pd.DataFrame, list[Problem]]:
    """The header and body without the columns mapped to None."""
    if not names:
        return header, body, []
    drop: set[int] = set()
    problems = []
    for name in names:
        at = [i for i, h in enumerate(header) if schema.folded_key(h) == schema.folded_key(name)]
        if not at and schema.column(kind, name) is not None:
            at = [i for i, h in enumerate(header) if schema.canonical_for(h, kind) == name]
        if not at:
            problems.append(Problem(file, header_row, None,
                                    f"the column mapping leaves out {quote(name)} (null), but no "
                                    "column is headed so"))
        drop.update(at)
    keep = [i for i in range(len(header)) if i not in drop]
    body = body[[body.columns[i] for i in keep]]
    body.columns = range(len(keep))
    return [header[i] for i in keep], body, problems


# ------------------------------------------------------------------ notes under the table


def drop_notes(body: pd.DataFrame, file: str) -> pd.DataFrame:
    """The body without its last rows that are notes: text in the first column, every other
    cell empty. A date or a number there is a row with its figures missing, not a note."""
    if body.shape[1] < 2 or body.empty:
        return body
    notes = []
    for row in range(len(body) - 1, -1, -1):
        cells = body.iloc[row].tolist()
        first = cells[0]
        if not all(_is_blank(c) for c in cells[1:]) or not _is_note(first):
            break
        notes.append(body.index[row])
    if not notes:
        return body
    rows = sorted(notes)
    where = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}–{rows[-1]}"
    warnings.warn(f"{file}: {where} under the table: text in the first column only, read as a "
                  "note and skipped", InputNote, stacklevel=3)
    out = body.drop(index=rows)
    out.attrs = {**body.attrs, "note_rows": [int(r) for r in rows]}
    return out


_NOTE_START = ("*", "†", "(", "nguon", "ghichu", "chuthich", "luuy", "source", "note", "footnote",
               "dulieu", "sothieu", "data", "ngaycapnhat", "capnhat", "updated")


def _is_note(cell: object) -> bool:
    """A sentence, not a value: it starts as notes do (Nguồn, Ghi chú, Source, Note, *), or
    holds a colon, or is three words or more ending with a full stop. A lone id or site name
    in the last row stays an incomplete row, said as such."""
    if not isinstance(cell, str) or _is_blank(cell):
        return False
    text = cell.strip()
    if not any(ch.isalpha() for ch in text):
        return False
    key = schema.folded_key(text)
    looks = (key.startswith(_NOTE_START) or ":" in text
             or (len(text.split()) >= 3 and text.endswith(".")))
    if not looks:
        return False
    value, error = parse_count(text)
    if error is None and value is not None:
        return False
    day, error = parse_date(text)
    return error is not None or day is None


# ------------------------------------------------------------------ counts with a unit word

_UNITS = ("đơn vị", "đơn vị máu", "đv", "đvm", "đvị", "units", "unit", "u", "túi", "bags", "bag")
_PEOPLE = ("người", "lượt", "lượt người", "lượt hiến", "persons", "people", "donors", "turns")
# the words that fit each count column; a column of no kind (a breakdown) takes units or people
FITTING = {
    "units": _UNITS, "units_collected": _UNITS, "target_units": _UNITS,
    "registered": _PEOPLE, "turns": _PEOPLE, "deferred": _PEOPLE,
    "sessions_planned": ("buổi", "sessions"), "sites_planned": ("điểm", "sites"),
    "volume_ml": ("ml",),
}
_COUNT_WITH_WORD = re.compile(r"^\s*(?P<number>-?\d[\d., '\u00a0]*?)\s*(?P<word>[^\W\d_][\w .]*?)\.?\s*$")


def _fitting(name: str) -> frozenset[str]:
    words = FITTING.get(name, _UNITS + _PEOPLE)
    return frozenset(schema.header_key(w) for w in words)


def unit_words(uniques: list, name: str) -> tuple[list, str | None]:
    """The distinct cells of a count column with a fitting unit word taken off ('442 đơn vị'
    → '442'), and the first such cell (None: there was none). A word that does not fit the
    column ('442 ml' of donations) is left for the count's own message."""
    fitting = None
    out = None
    first = None
    for k, value in enumerate(uniques):
        if not isinstance(value, str) or not (m := _COUNT_WITH_WORD.match(value)):
            continue
        fitting = fitting if fitting is not None else _fitting(name)
        if schema.header_key(m["word"]) not in fitting:
            continue
        if out is None:
            out, first = list(uniques), value.strip()
        out[k] = m["number"].strip()
    return (uniques, None) if out is None else (out, first)


def unit_note(file: str, header: str, example: str | None) -> None:
    shown = f" (such as {quote(example)})" if example else ""
    warnings.warn(f"{file}: column {quote(header)}: counts written with a unit word{shown} were read "
                  "as their numbers", InputNote, stacklevel=4)
