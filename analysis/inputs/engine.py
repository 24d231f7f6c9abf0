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
    """The SQL that reads the file (a row number r, then every column as text) and its header."""
    text = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        source = f"read_parquet('{text}', file_row_number = true)"
        header = [c for c in con.sql(f"SELECT * FROM {source} LIMIT 0").columns if c != "file_row_number"]
        row = "file_row_number + 2"
    else:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head:
            return None  # UTF-16, as Excel writes it: the loader reads that
        source = (f"read_csv('{text}', header = true, delim = ',', quote = '\"', escape = '\"', "
                  "all_varchar = true, strict_mode = true, null_padding = false, "
                  "skip = 0, auto_detect = false, columns = {cols})")
        header = _csv_header(path)
        if header is None:
            return None
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        source = source.format(cols=cols)
        row = "row_number() OVER () + 1"
        return f"SELECT {row} AS r, * FROM {source}", header
    return f"SELECT {row} AS r, * EXCLUDE (file_row_number) FROM {source}", header


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
    con.sql(f"CREATE TEMP TABLE raw AS {sql}")
    rows = con.sql("SELECT count(*) FROM raw").fetchall()[0][0]
    if rows == 0 or rows > limits.limit("rows") or (is_csv and rows + 1 != _line_breaks(path)):
        return None
    types = {row[0]: row[1] for row in con.sql("DESCRIBE raw").fetchall()}
    con.sql(f"CREATE TEMP TABLE v AS SELECT r, {_typed(src, types)} FROM raw")
    con.sql("DROP TABLE raw")
    if _failing_rows(con, src, header, names):
        return None
    return _frame(con, src, _key(file, key, path))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed(src: dict[str, str], types: dict[str, str]) -> str:
    """Each column cast as the loader types it; `*_ok` is false where a cell is not plain."""
    def kind(col: str) -> str:
        return types.get(col.strip('"').replace('""', '"'), "")

    cells = {name: f"CAST({col} AS VARCHAR)" for name, col in src.items()}
    for name, col in src.items():
        if name in ("donor_id", "birth_year", "volume_ml") and kind(col) in ("DOUBLE", "FLOAT"):
            # Parquet from pandas: a whole number with a gap is a float; 350.0 is read as 350,
            # anything else is not plain (the leading space fails every pattern below)
            cells[name] = (f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} = trunc({col}) "
                           f"AND abs({col}) < 1e15 THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) "
                           "ELSE ' not plain' END")
    day = src["visit_date"]
    if kind(day).startswith("TIMESTAMP"):  # Parquet: a day at midnight
        cells["visit_date"] = (f"CASE WHEN {day} = date_trunc('day', {day}) "
                               f"THEN strftime({day}, '%Y-%m-%d') END")
    most = limits.limit("cell_chars")
    lo, hi = PLAIN_YEARS
    parts = [
        f"{cells['donor_id']} AS donor_id",
        f"coalesce(regexp_matches({cells['donor_id']}, '{TIDY_ASCII}') "
        f"AND length({cells['donor_id']}) <= {most}, false) AS donor_ok",
        f"TRY_CAST(CASE WHEN regexp_matches({cells['visit_date']}, '{ISO_DATE}') "
        f"THEN {cells['visit_date']} END AS DATE) AS visit_date",
    ]
    if "birth_year" in cells:
        parts.append(f"TRY_CAST(CASE WHEN regexp_matches({cells['birth_year']}, '^[0-9]{{4}}$') "
                     f"THEN {cells['birth_year']} END AS SMALLINT) AS birth_year")
        parts.append(f"({cells['birth_year']} IS NULL OR regexp_matches({cells['birth_year']}, "
                     f"'^[0-9]{{4}}$')) AS birth_ok")
    if "volume_ml" in cells:
        parts.append(f"TRY_CAST(CASE WHEN regexp_matches({cells['volume_ml']}, '^[0-9]{{1,15}}$') "
                     f"THEN {cells['volume_ml']} END AS BIGINT) AS volume_ml")
        parts.append(f"({cells['volume_ml']} IS NULL OR regexp_matches({cells['volume_ml']}, "
                     "'^[0-9]{1,15}$')) AS volume_ok")
    for name in ("sex", "site", "outcome"):
        if name in cells:
            parts.append(f"{cells[name]} AS {name}")
    year_ok = f"year(TRY_CAST({cells['visit_date']} AS DATE)) BETWEEN {lo} AND {hi}"
    parts.append(f"coalesce({year_ok}, false) AS date_ok")
    return ", ".join(parts)


def _failing_rows(con, src: dict[str, str], header: list[str], names: dict[int, str]) -> list[int]:
    """Row numbers (as a spreadsheet shows them) of the first rows the engine does not take."""
    lo, hi = schema.FIRST_YEAR, 2100
    tests = ["NOT donor_ok", "visit_date IS NULL", "NOT date_ok"]
    if "birth_year" in src:
        tests += ["NOT birth_ok", f"birth_year NOT BETWEEN {lo} AND {hi}", "birth_year > year(visit_date)"]
    if "volume_ml" in src:
        tests.append("NOT volume_ok")
    failing = [r for (r,) in con.sql(
        f"SELECT r FROM v WHERE {' OR '.join(f'coalesce({t}, false)' for t in tests)} ORDER BY r LIMIT 100"
    ).fetchall()]
    repeated = con.sql("SELECT min(r) FROM v GROUP BY donor_id, visit_date HAVING count(*) > 1 LIMIT 100")
    failing += [r for (r,) in repeated.fetchall()]
    # the few distinct values of the other text columns, checked as the loader checks them
    most = limits.limit("cell_chars")
    first_three = {names[i] for i in range(min(3, len(header)))}
    for name in ("sex", "site", "outcome"):
        if name not in src:
            continue
        query = f"SELECT DISTINCT {name} FROM v LIMIT {FEW_CATEGORIES + 1}"
        distinct = [v for (v,) in con.sql(query).fetchall()]
        allowed = schema.column("visits", name).allowed
        if len(distinct) > FEW_CATEGORIES or any(
            v is not None and (parse_text(v) != v or len(v) > most or not v.isprintable()
                               or (allowed and v not in allowed)
                               or (name in first_three and _is_total_label(v)))
            for v in distinct
        ):
            failing.append(-1)
    if "donor_id" in first_three:  # a total row's label ('Total', 'Tổng cộng') at the left
        candidates = con.sql("SELECT DISTINCT donor_id FROM v WHERE length(donor_id) <= 16 "
                             "AND regexp_matches(donor_id, '^\\s*[tcgTCG]')").fetchall()
        if any(_is_total_label(v) for (v,) in candidates):
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


def _frame(con, src: dict[str, str], key: bytes):
    """The protected frame: pseudonyms per distinct donor (in order of first visit), then the visits."""
    import numpy as np
    import pandas as pd

    from analysis.inputs import pseudonyms

    inner, outer = (p.hex() for p in pseudonyms.hmac_pads(key))
    length = pseudonyms.PSEUDONYM_HEX
    con.sql(f"""CREATE TEMP TABLE donors AS
        SELECT donor_id, (row_number() OVER (ORDER BY min(r)) - 1)::INTEGER AS code,
               left(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(donor_id)))),
                    {length}) AS pseudonym
        FROM v GROUP BY donor_id""")
    pseudonym_list = con.sql("SELECT pseudonym FROM donors ORDER BY code").fetchnumpy()["pseudonym"]
    categories = pd.Index(np.asarray(pseudonym_list, dtype=object), dtype=object)
    present = [c.name for c in schema.columns("visits") if c.name in src]
    chosen = ", ".join("d.code AS donor_id" if c == "donor_id" else f"v.{c}" for c in present)
    table = con.sql(f"SELECT {chosen} FROM v JOIN donors d USING (donor_id) ORDER BY v.r").arrow()
    if hasattr(table, "read_all"):
        table = table.read_all()
    con.sql("DROP TABLE v")
    out = {}
    for c in present:
        column = table.column(c)
        if c == "donor_id":
            codes = column.to_numpy()
            try:
                values = pd.Categorical.from_codes(codes, categories=categories, validate=False)
            except ValueError:  # two ids with one 64-bit pseudonym (odds ~n²/2⁶⁵): as the loader does
                merged, distinct = pd.factorize(categories.to_numpy())
                values = pd.Categorical.from_codes(merged[codes], categories=pd.Index(distinct, dtype=object))
            out[c] = values
        elif c == "visit_date":
            out[c] = pd.to_datetime(column.to_numpy(zero_copy_only=False)).astype("datetime64[ns]").array
        elif c in ("birth_year", "volume_ml"):
            out[c] = pd.array(column.to_pandas(), dtype="Int64")
        else:
            used = pd.Categorical(column.to_pandas().astype(object))
            out[c] = used.reorder_categories(sorted(used.categories))
    del table
    return pd.DataFrame(out, index=pd.RangeIndex(len(out["donor_id"])), copy=False)
