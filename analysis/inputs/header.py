"""Finding the header row of a sheet and mapping its headers to canonical column names."""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np
import pandas as pd

from analysis.inputs import limits, schema
from analysis.inputs.problems import HEADER_SEARCH_ROWS, QUOTE_CHARS, ROW, Problem, _fail, _is_blank, quote
from analysis.inputs.schema import KINDS
from analysis.inputs.values import _factorize

# --- header


def _header_score(row: list, kind: str, wanted: dict[str, str]) -> int:
    """How many cells of `row` name a column of `kind` (or one the mapping asks for)."""
    hits = set()
    for cell in row:
        if _is_blank(cell) or not isinstance(cell, str):
            continue
        key = schema.header_key(cell)
        name = wanted.get(key) or schema.canonical_for(cell, kind)
        if name:
            hits.add(name)
    return len(hits)


def _grid_from_rows(
    rows: list[list], kind: str, wanted: dict[str, str], file: str
) -> tuple[int, list[str], pd.DataFrame]:
    """Header row number, header texts and body of a sheet; blank rows and columns dropped."""
    header_row, header_cells = _header_of(rows, kind, wanted)
    if not header_row:
        raise _fail(file, "empty file, expected a header row and data rows")
    data = rows[header_row:]
    # a note typed right of the table becomes an unnamed column ('column H'), not an error
    width = max([len(header_cells), *(len(r) for r in data)])
    body = pd.DataFrame(
        [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in data],
        columns=range(width),
        index=pd.RangeIndex(header_row + 1, header_row + 1 + len(data), name=ROW),
        dtype=object,
    )
    blank = body.apply(_blank_cells) if len(body) else body.isna()
    body = body.mask(blank)[~blank.all(axis=1)]
    header_cells = list(header_cells) + [None] * (width - len(header_cells))
    keep = [i for i in range(width) if not _is_blank(header_cells[i]) or not blank[i].all()]
    header = [_header_text(header_cells[i], i) for i in keep]
    body = body[keep]
    body.columns = range(len(keep))
    return header_row, header, body


def _header_of(rows: list[list], kind: str, wanted: dict[str, str]) -> tuple[int, list]:
    """(row number, cells) of the header; (0, []) when every top row is blank.

    The header is the first of the top rows that names known columns (title rows
    above it are skipped), else the first row that is not blank.
    """
    filled = ((n, r) for n, r in enumerate(rows, start=1) if any(not _is_blank(c) for c in r))
    top = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not top:
        return 0, []
    return next(((n, r) for n, r in top if _header_score(r, kind, wanted) >= 2), top[0])


def _blank_cells(column: pd.Series) -> pd.Series:
    codes, uniques = _factorize(column)
    spaces = [k for k, u in enumerate(uniques) if isinstance(u, str) and not u.strip()]
    return pd.Series((codes == -1) | np.isin(codes, spaces), index=column.index)


def _header_text(cell: object, position: int) -> str:
    """A header cell as text; an unnamed column that holds data is called 'column C'."""
    if _is_blank(cell):
        return f"column {_letter(position + 1)}"
    return " ".join(unicodedata.normalize("NFC", str(cell)).translate(schema.ZERO_WIDTH).split())


def _letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _map_columns(
    header: list[str], kind: str, mapping: dict[str, str], file: str, header_row: int
) -> tuple[dict[int, str], list[Problem]]:
    """Canonical name (or kept header text) for each column position, and what is missing."""
    problems: list[Problem] = []
    names: dict[int, str] = {}
    most = limits.limit("cell_chars")
    for i, h in enumerate(header):
        if len(h) > most:
            raise limits.breach(file, "cell_chars", f"a header of {len(h):,} characters",
                                row=header_row, column=f"column {_letter(i + 1)}")
    shown = _shown_headers(header, mapping, kind)
    keys = [schema.header_key(h) for h in header]
    folded = [schema.folded_key(h) for h in header]
    for name, in_file in mapping.items():
        at = _find(keys, schema.header_key(in_file))
        if at is None:
            at = _find(folded, schema.folded_key(in_file))
        if at is None:
            problems.append(Problem(file, header_row, None,
                                    f"the column mapping gives {quote(in_file)} for {name}, but no "
                                    f"column is headed so{shown}"))
        else:
            names[at] = name
    by_alias: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        name = schema.canonical_for(h, kind)
        if i not in names and name and name not in mapping:
            by_alias.setdefault(name, []).append(i)
    for name, positions in by_alias.items():
        if len(positions) > 1:
            found = " and ".join(repr(header[i]) for i in positions)
            problems.append(Problem(file, header_row, header[positions[1]],
                                    f"{found} could both be {name}, expected one: name the right "
                                    f'one in the column mapping, e.g. {{"{name}": '
                                    f'"{header[positions[0]]}"}}'))
        names[positions[0]] = name
    taken = set(names.values())
    for i, h in enumerate(header):
        if i not in names:
            names[i] = _unique_name(h, taken)
            taken.add(names[i])
    missing = [n for n in schema.required(kind) if n not in taken]
    for name in missing:
        problems.append(Problem(file, header_row, None, _missing_message(name, kind, shown)))
    if missing:
        problems += _other_kind_hint(header, kind, file, header_row)
    return names, problems


def _find(keys: list[str], key: str) -> int | None:
    return next((i for i, k in enumerate(keys) if k == key), None)


def _unique_name(text: str, taken: set[str]) -> str:
    name, n = text, 2
    while name in taken:
        name, n = f"{text} ({n})", n + 1
    return name


def _missing_message(name: str, kind: str, shown: str = "") -> str:
    aliases = [a for a in schema.column(kind, name).aliases][:4]
    return (f"missing column {name}, expected a header such as {', '.join(aliases)} "
            f'(or map yours: {{"{name}": "<your header>"}}){shown or ""}')


SHOWN_HEADERS = 30


def _shown_headers(header: list[str], mapping: dict[str, str], kind: str) -> str:
    """'; found: A, B, C' for messages, only when the row looks like a header (it names a
    column of some kind, or one of the mapping): a file that is not a table is never quoted."""
    mapped = {schema.folded_key(v) for v in mapping.values()}
    if not any(schema.is_known_header(h) or schema.folded_key(h) in mapped for h in header):
        return ""
    names = [h if len(h) <= QUOTE_CHARS else h[:QUOTE_CHARS - 1] + "…" for h in header]
    more = len(names) - SHOWN_HEADERS
    listed = ", ".join(names[:SHOWN_HEADERS]) + (f" and {more:,} more" if more > 0 else "")
    return f"; found: {listed}"


def _other_kind_hint(header: list[str], kind: str, file: str, header_row: int) -> list[Problem]:
    """Suggest the kind whose columns the file has, when it fits better than the one asked for."""

    def matched(k: str) -> set[str]:
        return {n for n in (schema.canonical_for(h, k) for h in header) if n}

    asked = len(matched(kind))
    for other in KINDS:
        found = matched(other)
        if other != kind and set(schema.required(other)) <= found and len(found) > asked:
            return [Problem(file, header_row, None,
                            f"these columns fit a {other} file, expected a {kind} file: "
                            "is the kind right?")]
    return []
