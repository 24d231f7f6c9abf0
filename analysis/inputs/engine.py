"""Large visits files read, checked and pseudonymised in DuckDB.

Above a size (`limits.ENGINE_BYTES`), a visits file in CSV or Parquet is read
by DuckDB straight from disk, not cell by cell in Python. Each rule becomes
SQL that finds the rows breaking it; the donors' pseudonyms are the same
HMAC-SHA256 as `pseudonyms.pseudonymise`, computed in SQL once per distinct
donor, and raw ids never reach pandas. The frame that comes out is the one
`load` makes on the same file: the same columns, types, categories and order.

The engine takes only what it reads exactly as the loader would: a header in
the first row naming visits columns and nothing else (so no identifier column
can come through), ISO dates, plain whole numbers, tidy text. A file with
anything else (a day-first date, a count written 1.234, a column of names, a
total row, a repeated visit, a bad value) goes to the loader (`read_visits`
returns None): its rows are found in SQL, and the loader then words each
problem as `file:row:column: ...`, so a message is the same whichever path
the file's size would have taken.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from analysis import config, errors
from analysis.inputs import limits, schema
from analysis.inputs.frame import FEW_CATEGORIES, _is_total_label
from analysis.inputs.header import _map_columns
from analysis.inputs.problems import _check_mapping, _fail
from analysis.inputs.values import parse_text

FORMATS = (".csv", ".parquet")
# Text that the loader keeps as it is: printable ASCII words, single spaces (see `values.parse_text`).
TIDY_ASCII = r"^[!-~]+( [!-~]+)*$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# The loader's pandas dates hold years 1678-2261; a visit outside these years is not plain.
PLAIN_YEARS = (1900, 2100)


def wanted(path: Path) -> bool:
    """Whether a visits file is for the engine: CSV or Parquet, at least `ENGINE_BYTES` big."""
    if path.suffix.lower() not in FORMATS:
        return False
    try:
        return path.stat().st_size >= limits.ENGINE_BYTES.value()
    except OSError:
        return False  # the loader says what is wrong with it


def read_visits(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
    key: bytes | None = None,
):
    """The protected visits frame `load(path, "visits", columns)` gives, or None when the
    file is not one the engine reads exactly as the loader does (the loader then reads it).

    `key` is the pseudonyms' key (default: `pseudonyms.load_key()`, or the public key of
    simulated donors for files under data/example/).
    """
    import duckdb

    resolved = config.resolve(path)
    file = name or str(path)
    if not wanted(resolved):
        return None
    mapping = _check_mapping(columns, "visits", file)
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    try:
        return _read(con, resolved, file, mapping, key)
    except (duckdb.Error, UnicodeError, ValueError):
        return None  # a file DuckDB reads otherwise than the loader (encoding, quoting...)
    finally:
        con.close()


def _scan(con, path: Path) -> tuple[str, list[str]] | None:
    """The SQL that reads the file (every column, CSV cells as text) and its header."""
    text = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        source = f"read_parquet('{text}')"
        return f"SELECT * FROM {source}", list(con.sql(f"SELECT * FROM {source} LIMIT 0").columns)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head:
        return None  # UTF-16, as Excel writes it: the loader reads that
    header = _csv_header(path)
    if header is None:
        return None
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    source = (f"read_csv('{text}', header = true, delim = ',', quote = '\"', escape = '\"', "
              f"strict_mode = true, null_padding = false, auto_detect = false, columns = {cols})")
    return f"SELECT * FROM {source}", header


def _csv_header(path: Path) -> list[str] | None:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        line = fh.readline(1 << 16)
    if not line.endswith(("\n", "\r")):
        return None
    return next(csv.reader([line]))


def _line_breaks(path: Path) -> int:
    """Rows of a CSV as its lines count them (a quoted line break or a blank line shows as a difference)."""
    count, last = 0, b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 24), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _read(con, path: Path, file: str, mapping: dict, key: bytes | None):
    scanned = _scan(con, path)
    if scanned is None:
        return None
    sql, header = scanned
    header = [str(h) for h in header]
    names, problems = _map_columns(header, "visits", mapping, file, 1)
    canonical = {c.name for c in schema.columns("visits")}
    if problems or set(names.values()) - canonical or len(set(names.values())) != len(header):
        return None  # another header row, a missing column, or columns besides visits: the loader
    is_csv = path.suffix.lower() == ".csv"
    # the file's columns as c0, c1... (CSV) or by their header (Parquet), canonical names here
    src = {names[i]: (f"c{i}" if is_csv else _quoted(header[i])) for i in range(len(header))}
    if "donor_id" not in src or "visit_date" not in src:
        return None
    types = {row[0]: row[1] for row in con.sql(f"DESCRIBE {sql}").fetchall()}
    # one pass over the file: the typed columns and, per row, whether every rule holds
    table = _arrow(con.sql(f"SELECT {_typed(src, types)} FROM ({sql})"))
    rows = table.num_rows
    if rows == 0 or rows > limits.limit("rows") or (is_csv and rows + 1 != _line_breaks(path)):
        return None
    # each text column as codes into its distinct values, in order of first appearance
    encoded = {c: table.column(c).combine_chunks().dictionary_encode()
               for c in ("donor_id", "sex", "site", "outcome") if c in table.column_names}
    if _failing_rows(con, table, encoded, header, names):
        return None
    return _frame(con, table, encoded, _key(file, key, path))


def _arrow(relation):
    table = relation.arrow()
    return table.read_all() if hasattr(table, "read_all") else table


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
FLOATS = ("FLOAT", "DOUBLE")


def _number(col: str, type_: str, pattern: str, cast: str) -> tuple[str, str]:
    """A whole number's value and whether it is plain, however the file holds it."""
    if type_ in INTEGERS:
        return f"CAST({col} AS {cast})", "true"
    if type_ in FLOATS:  # Parquet from pandas: a whole number with a gap is a float; 350.0 is 350
        return (f"CAST(CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e15 THEN {col} END AS {cast})",
                f"({col} IS NULL OR ({col} = trunc({col}) AND abs({col}) < 1e15))")
    if type_ == "VARCHAR":
        return (f"TRY_CAST(CASE WHEN regexp_matches({col}, '{pattern}') THEN {col} END AS {cast})",
                f"({col} IS NULL OR regexp_matches({col}, '{pattern}'))")
    return "NULL", "false"


def _typed(src: dict[str, str], types: dict[str, str]) -> str:
    """Each column as the loader types it, and `plain`: whether every rule holds on the row.

    Only cells written as the loader would read them exactly count as plain; the
    loader reads a file with any other row (and words what is wrong with it).
    """
    def kind(col: str) -> str:
        return types.get(col.strip('"').replace('""', '"'), "")

    most = limits.limit("cell_chars")
    ok: list[str] = []
    donor, day = src["donor_id"], src["visit_date"]
    if kind(donor) in INTEGERS:
        parts = [f"CAST({donor} AS VARCHAR) AS donor_id"]
        ok.append(f"{donor} IS NOT NULL")
    elif kind(donor) == "VARCHAR":
        parts = [f"{donor} AS donor_id"]
        ok.append(f"regexp_matches({donor}, '{TIDY_ASCII}') AND length({donor}) <= {most}")
    else:
        return "NULL AS donor_id, false AS plain"
    if kind(day) == "DATE":
        date = day
    elif kind(day).startswith("TIMESTAMP"):  # a day at midnight
        date = f"CASE WHEN {day} = date_trunc('day', {day}) THEN CAST({day} AS DATE) END"
    elif kind(day) == "VARCHAR":
        date = f"TRY_CAST(CASE WHEN regexp_matches({day}, '{ISO_DATE}') THEN {day} END AS DATE)"
    else:
        date = "NULL::DATE"
    parts.append(f"{date} AS visit_date")
    lo, hi = PLAIN_YEARS
    ok.append(f"year({date}) BETWEEN {lo} AND {hi}")
    if "birth_year" in src:
        value, plain = _number(src["birth_year"], kind(src["birth_year"]), "^[0-9]{4}$", "SMALLINT")
        parts.append(f"{value} AS birth_year")
        ok += [plain, f"({value} IS NULL OR ({value} BETWEEN {schema.FIRST_YEAR} AND 2100 "
                      f"AND {value} <= year({date})))"]
    if "volume_ml" in src:
        value, plain = _number(src["volume_ml"], kind(src["volume_ml"]), "^[0-9]{1,15}$", "BIGINT")
        parts.append(f"{value} AS volume_ml")
        ok += [plain, f"({value} IS NULL OR {value} >= 0)"]
    for name in ("sex", "site", "outcome"):
        if name in src:
            if kind(src[name]) != "VARCHAR":
                return "NULL AS donor_id, false AS plain"
            parts.append(f"{src[name]} AS {name}")
    parts.append(f"coalesce({' AND '.join(f'({c})' for c in ok)}, false) AS plain")
    return ", ".join(parts)


def _failing_rows(con, table, encoded: dict, header: list[str], names: dict[int, str]) -> list[int]:
    """Positions of rows the engine does not take (-1: a column's values): none for a file it reads."""
    import numpy as np
    import pyarrow.compute as pc

    plain = table.column("plain")
    failing = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))[:100].tolist()
    import pyarrow as pa

    keys = pa.table({"donor": encoded["donor_id"].indices, "day": table.column("visit_date")})
    con.register("typed", keys)
    repeated = con.sql("SELECT count(*) FROM (SELECT 1 FROM typed GROUP BY donor, day "
                       "HAVING count(*) > 1)").fetchall()[0][0]
    con.unregister("typed")
    if repeated:
        failing.append(-1)
    # the few distinct values of the other text columns, checked as the loader checks them
    most = limits.limit("cell_chars")
    first_three = {names[i] for i in range(min(3, len(header)))}
    for name in ("sex", "site", "outcome"):
        if name not in encoded:
            continue
        distinct = encoded[name].dictionary.to_pylist()
        allowed = schema.column("visits", name).allowed
        if len(distinct) > FEW_CATEGORIES or any(
            v is not None and (parse_text(v) != v or len(v) > most or not v.isprintable()
                               or (allowed and v not in allowed)
                               or (name in first_three and _is_total_label(v)))
            for v in distinct
        ):
            failing.append(-1)
    if "donor_id" in first_three:  # a total row's label ('Total', 'Tổng cộng') at the left
        ids = encoded["donor_id"].dictionary
        short = pc.and_(pc.less_equal(pc.utf8_length(ids), 16),
                        pc.match_substring_regex(ids, "^\\s*[tcgTCG]"))
        if any(_is_total_label(v) for v in ids.filter(short).to_pylist()):
            failing.append(-1)
    return failing


def _key(file: str, key: bytes | None, path: Path) -> bytes:
    from analysis.inputs import pseudonyms

    if key is not None:
        return key
    if config.is_simulated(path):
        return pseudonyms.SIMULATED_KEY
    try:
        return pseudonyms.load_key()
    except errors.PseudonymKeyError as exc:
        raise _fail(file, f"donor_id cannot be pseudonymised: {exc}") from None


def _frame(con, table, encoded: dict, key: bytes):
    """The protected frame: donors numbered in order of first visit, their pseudonyms computed
    in SQL once per donor (the ids stay in Arrow memory here, never in a pandas object)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from analysis.inputs import pseudonyms

    donor_codes = encoded.pop("donor_id")
    ids = pa.table({"i": pa.array(np.arange(len(donor_codes.dictionary))), "id": donor_codes.dictionary})
    inner, outer = (p.hex() for p in pseudonyms.hmac_pads(key))
    con.register("ids", ids)
    hashed = _arrow(con.sql(
        f"SELECT left(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(id)))), "
        f"{pseudonyms.PSEUDONYM_HEX}) AS p FROM ids ORDER BY i"))
    con.unregister("ids")
    del ids
    categories = pd.Index(hashed.column("p").to_numpy(zero_copy_only=False).astype(object), dtype=object)
    codes = donor_codes.indices.to_numpy(zero_copy_only=False)
    del donor_codes
    try:
        donors = pd.Categorical.from_codes(codes, categories=categories, validate=False)
    except ValueError:  # two ids with one 64-bit pseudonym (odds ~n²/2⁶⁵): as the loader does
        merged, distinct = pd.factorize(categories.to_numpy())
        donors = pd.Categorical.from_codes(merged[codes], categories=pd.Index(distinct, dtype=object))
    out = {"donor_id": donors}
    for c in [c.name for c in schema.columns("visits") if c.name in table.column_names][1:]:
        column = table.column(c).combine_chunks() if c not in encoded else None
        if c == "visit_date":
            out[c] = pd.array(column.to_numpy(zero_copy_only=False).astype("datetime64[ns]"))
        elif c in ("birth_year", "volume_ml"):
            values = column.fill_null(0).to_numpy().astype("int64")
            out[c] = pd.arrays.IntegerArray(values, column.is_null().to_numpy(zero_copy_only=False))
        else:  # few values: categories sorted, as the loader leaves them
            coded = encoded.pop(c)
            words = np.asarray(coded.dictionary.to_pylist(), dtype=object)
            order = np.argsort(words)
            rank = np.empty(len(words), dtype=np.int64)
            rank[order] = np.arange(len(words))
            at = coded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            out[c] = pd.Categorical.from_codes(np.where(at >= 0, rank[np.maximum(at, 0)], -1),
                                               categories=pd.Index(words[order], dtype=object))
    return pd.DataFrame(out, index=pd.RangeIndex(len(codes)), copy=False)
