"""Large visits files read, checked and numbered or pseudonymised in DuckDB.

Above a size (`limits.ENGINE_BYTES`), a visits file in CSV or Parquet is read
by DuckDB straight from disk, not cell by cell in Python. Each rule becomes
SQL that finds the rows breaking it. Then either:
- `read_visits` gives the frame `load` makes on the same file (the same columns,
  types, categories and order): the donors' pseudonyms are the same HMAC-SHA256
  as `pseudonyms.pseudonymise`, computed in SQL once per distinct donor;
- `compact_visits` gives, for reports that need only sums, the compact frame
  `returns.prepare` takes: donors numbered in order of first visit and the
  visits sorted by donor and day in DuckDB, with no id and no pseudonym.
Either way raw ids never reach pandas.

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

import contextlib
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
    opened = _open(path, columns, name)
    if opened is None:
        return None
    con, resolved, file, mapping = opened
    try:
        return _read(con, resolved, file, mapping, key)
    except _declined():
        return None  # a file DuckDB reads otherwise than the loader (encoding, quoting...)
    finally:
        con.close()


def _declined() -> tuple[type[Exception], ...]:
    """What a file DuckDB reads otherwise than the loader raises (encoding, quoting, types)."""
    import duckdb

    return (duckdb.Error, UnicodeError, ValueError)


def _open(path: str | Path, columns: Mapping[str, str] | None, name: str | None):
    """(connection, resolved path, file name, column mapping) for a file the engine takes, else None.

    A bad mapping raises here, as the loader would raise it."""
    resolved = config.resolve(path)
    file = name or str(path)
    if not wanted(resolved):
        return None  # and duckdb is not even imported
    import duckdb

    mapping = _check_mapping(columns, "visits", file)
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    with contextlib.suppress(duckdb.Error):  # in a kernel without ipywidgets DuckDB refuses to change it
        con.sql("SET enable_progress_bar = false")
    con.sql("SET preserve_insertion_order = true")  # the default, which row numbers rely on
    return con, resolved, file, mapping


# The columns a compact frame keeps besides donor and day (each donor's sex and birth
# year from their first row in the file, each visit's outcome and site).
COMPACT = ("birth_year", "sex", "outcome", "site")


def compact_visits(path: str | Path, columns: Mapping[str, str] | None = None, *,
                   name: str | None = None, sites: bool = True):
    """A large visits file checked by the same rules as `read_visits`, as a compact frame for
    reports that need only sums of it; None when the loader must read the file.

    One row a visit, sorted by donor then day: `donor` (int32, 0..n-1 in order of first
    visit in the file: a number with no meaning), `day` (int32, days since 1970-01-01) and,
    where the file has them, `outcome` and `site` (categoricals of the file's words), `sex`
    (categorical) and `birth_year` (float32, NaN when missing): sex and birth year are the
    donor's, from their first row in the file. No id and no pseudonym: the raw ids were
    numbered inside DuckDB and went with its connection. `returns.prepare` takes this frame
    as it is. `sites=False` leaves `site` out (its words are still checked): a report that
    does not count by site spares DuckDB's sort a column (0.3 s on 10 million visits).
    """
    opened = _open(path, columns, name)
    if opened is None:
        return None
    con, resolved, file, mapping = opened
    try:
        return _compact(con, resolved, file, mapping, sites)
    except _declined():
        return None
    finally:
        con.close()  # the raw ids go with it


def _compact(con, path: Path, file: str, mapping: dict, sites: bool = True):
    import numpy as np
    import pandas as pd

    # site stays in the checked table either way: its words are checked there, where a CSV
    # would otherwise be parsed once more for them
    checked = _checked(con, path, file, mapping, None, pseudonymise=False, keep=COMPACT)
    if checked is None:
        return None
    typed, present, _, rows, words = checked
    texts = {c: [w for w in words[c] if w is not None] for c in ("outcome", "sex", "site") if c in present}
    if "site" in texts:
        texts["site"].sort()  # the loader's categories: the sorted words
    wanted = [c for c in ("outcome", "site") if c in texts and (sites or c != "site")]
    per_visit = "".join(f", {_code(f'v.{c}', texts[c])} AS {c}" for c in wanted)
    visits = con.sql(f"""SELECT d.code AS donor, (v.visit_date - DATE '1970-01-01')::INTEGER AS day{per_visit}
        FROM raw v JOIN donors d USING (donor_id) ORDER BY donor, day""").fetchnumpy()
    donor, day = visits["donor"], visits["day"]
    same = donor[1:] == donor[:-1]
    if len(donor) != rows or (same & (day[1:] == day[:-1])).any():
        return None  # a repeated visit: the loader words it
    first = []  # each donor's sex and birth year, from their first row in the file
    if "sex" in texts:
        first.append(f"{_code('r.sex', texts['sex'])} AS sex")
    if "birth_year" in present:
        first.append("coalesce(CAST(r.birth_year AS FLOAT), 'NaN'::FLOAT) AS birth_year")
    donors = con.sql(f"SELECT {', '.join(first)} FROM donors d JOIN ({typed}) r ON r._row = d.first_row "
                     f"ORDER BY d.code").fetchnumpy() if first else {}
    frame = {"donor": donor.astype(np.int32, copy=False), "day": day.astype(np.int32, copy=False)}
    for c in (*wanted, "sex"):
        if c in texts:
            codes = donors[c][donor] if c == "sex" else visits[c]
            frame[c] = pd.Categorical.from_codes(codes, categories=pd.Index(texts[c], dtype=object))
    if "birth_year" in donors:
        frame["birth_year"] = donors["birth_year"][donor]
    return pd.DataFrame(frame, copy=False)


def _code(column: str, words: list[str]) -> str:
    """SQL: the position of a text value in `words` (from 0), -1 when missing."""
    if not words:
        return "CAST(-1 AS SMALLINT)"
    return f"coalesce(CAST(enum_code(CAST({column} AS {_enum(words)})) AS SMALLINT), -1)"


def _enum(words) -> str:
    """SQL: the ENUM type of these words, in this order."""
    return "ENUM (" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


def _scan(con, path: Path) -> tuple[str, list[str], str] | None:
    """The SQL that reads the file (every column, CSV cells as text, and `_row`: the row's
    position in the file, from 0), the file's header, and the table function that reads it."""
    text = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        source = f"read_parquet('{text}', file_row_number = true)"
        header = [c for c in con.sql(f"SELECT * FROM {source} LIMIT 0").columns if c != "file_row_number"]
        return f"SELECT file_row_number AS _row, * EXCLUDE (file_row_number) FROM {source}", header, source
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
    return f"SELECT row_number() OVER () - 1 AS _row, * FROM {source}", header, source


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
    checked = _checked(con, path, file, mapping, key)
    if checked is None:
        return None
    typed, present, enums, rows, _ = checked
    columns = ", ".join("d.code AS donor_id" if c == "donor_id" else _column(c, enums) for c in present)
    table = _arrow(con.sql(f"SELECT v._row, {columns} FROM ({typed}) v JOIN donors d USING (donor_id)"))
    if table.num_rows != rows or _repeated(con, table):
        return None
    return _frame(con, table, present)


def _column(c: str, enums: dict[str, str | None]) -> str:
    """A visits column as the loader types it: sex, site and outcome as ENUMs of their sorted words."""
    if c not in enums:
        return f"v.{c}"
    return f"CAST(v.{c} AS {enums[c]}) AS {c}" if enums[c] else f"CAST(NULL AS VARCHAR) AS {c}"


def _checked(con, path: Path, file: str, mapping: dict, key: bytes | None, pseudonymise: bool = True,
             keep: tuple[str, ...] | None = None):
    """Every rule checked in SQL, and the temp table `donors` (donor_id, code[, pseudonym]) made;
    or None for a file the loader must read. Returns the typed scan's SQL, the visits columns
    present, the ENUM type of each text column (None: no value), the number of rows and the
    distinct values of each text column, in order of first appearance in the file. With `keep`,
    the file is read once into the temp table `raw` (`_row`, or for a CSV the table's rowid,
    `plain`, donor_id, visit_date and the columns named in `keep`) and checked there; the
    typed scan's SQL is then the one that reads `raw` with `_row`."""
    scanned = _scan(con, path)
    if scanned is None:
        return None
    sql, header, source = scanned
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
    typed = f"SELECT _row, {_typed(src, types)} FROM ({sql})"
    scan = typed
    if keep is not None:  # read once: the file's columns are decoded once, not once a query
        kept = "".join(f", {c}" for c in keep if c in src)
        if is_csv:  # no row number from read_csv but a window over the whole file, single-threaded:
            # the table's rowid is its insertion order, which DuckDB keeps (preserve_insertion_order)
            con.sql(f"CREATE TEMP TABLE raw AS SELECT plain, donor_id, visit_date{kept} "
                    f"FROM (SELECT {_typed(src, types)} FROM {source})")
            typed = "SELECT rowid AS _row, * FROM raw"
        else:
            con.sql(f"CREATE TEMP TABLE raw AS SELECT _row, plain, donor_id, visit_date{kept} FROM ({typed})")
            typed = "SELECT * FROM raw"
    # the rules, row by row and on the few distinct values of sex, site and outcome
    texts = [c for c in ("sex", "site", "outcome") if c in src]
    rows, plain, first, last = con.sql(
        f"SELECT count(*), bool_and(plain), min(_row), max(_row) FROM ({typed})").fetchall()[0]
    if not rows or rows > limits.limit("rows") or not plain or (first, last) != (0, rows - 1):
        return None
    if is_csv and rows + 1 != _line_breaks(path):
        return None  # a blank line or a quoted line break: the loader counts rows its own way
    where = {c: typed if keep is None or c in keep else scan for c in texts}  # a column not kept: the file
    words = {c: [w for (w,) in con.sql(f"SELECT {c} FROM ({where[c]}) GROUP BY {c} ORDER BY min(_row) "
                                        f"LIMIT {FEW_CATEGORIES + 1}").fetchall()] for c in texts}
    if not _plain_words(words, {names[i] for i in range(min(3, len(header)))}):
        return None
    # donors: numbered in order of first visit (with their pseudonyms); raw ids stay in DuckDB
    pseudonym = ""
    if pseudonymise:
        from analysis.inputs import pseudonyms

        inner, outer = (p.hex() for p in pseudonyms.hmac_pads(_key(file, key, path)))
        pseudonym = (f", left(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || "
                     f"encode(donor_id)))), {pseudonyms.PSEUDONYM_HEX}) AS pseudonym")
    con.sql(f"""CREATE TEMP TABLE donors AS
        SELECT donor_id, (row_number() OVER (ORDER BY min(_row)) - 1)::INTEGER AS code,
               min(_row) AS first_row{pseudonym}
        FROM ({typed}) GROUP BY donor_id""")
    if not _plain_donors(con) or (
            "donor_id" in {names[i] for i in range(min(3, len(header)))} and _total_label(con)):
        return None
    enums = {c: _enum(sorted(w for w in words[c] if w is not None)) if any(w is not None for w in words[c])
             else None for c in texts}
    present = [c.name for c in schema.columns("visits") if c.name in src]
    return typed, present, enums, rows, words


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

    ok: list[str] = []
    donor, day = src["donor_id"], src["visit_date"]
    if kind(donor) in INTEGERS:
        parts = [f"CAST({donor} AS VARCHAR) AS donor_id"]
        ok.append(f"{donor} IS NOT NULL")
    elif kind(donor) == "VARCHAR":  # tidy text: checked on the distinct ids (`_plain_donors`)
        parts = [f"{donor} AS donor_id"]
        ok.append(f"{donor} IS NOT NULL")
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


def _plain_words(words: dict[str, list], first_three: set[str]) -> bool:
    """Sex, site and outcome: few distinct values, each as the loader would keep it."""
    most = limits.limit("cell_chars")
    for name, distinct in words.items():
        allowed = schema.column("visits", name).allowed
        if len(distinct) > FEW_CATEGORIES or any(
            v is not None and (parse_text(v) != v or len(v) > most or not v.isprintable()
                               or (allowed and v not in allowed)
                               or (name in first_three and _is_total_label(v)))
            for v in distinct
        ):
            return False
    return True


def _plain_donors(con) -> bool:
    """Every donor id tidy text, as the loader keeps it (checked once a donor, not once a visit)."""
    most = limits.limit("cell_chars")
    return con.sql(f"SELECT count(*) FROM donors WHERE donor_id IS NULL OR NOT regexp_matches("
                   f"donor_id, '{TIDY_ASCII}') OR length(donor_id) > {most}").fetchall()[0][0] == 0


def _total_label(con) -> bool:
    """A donor id that is a total row's label ('Total', 'Tổng cộng'), as the loader refuses it."""
    candidates = con.sql("SELECT donor_id FROM donors WHERE length(donor_id) <= 16 "
                         "AND regexp_matches(donor_id, '^\\s*[tcgTCG]')").fetchall()
    return any(_is_total_label(v) for (v,) in candidates)


def _repeated(con, table) -> bool:
    """Two visits of one donor on one day."""
    con.register("visits", table.select(["donor_id", "visit_date"]))
    try:
        return con.sql("SELECT count(*) FROM (SELECT 1 FROM visits GROUP BY donor_id, visit_date "
                       "HAVING count(*) > 1)").fetchall()[0][0] > 0
    finally:
        con.unregister("visits")


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


def _frame(con, table, present: list[str]):
    """The protected frame, rows in the file's order (`_row` says where each row goes)."""
    import numpy as np
    import pandas as pd

    pseudonym = _arrow(con.sql("SELECT pseudonym FROM donors ORDER BY code")).column("pseudonym")
    con.sql("DROP TABLE donors")
    categories = pd.Index(pseudonym.to_numpy(zero_copy_only=False).astype(object), dtype=object)
    at = table.column("_row").to_numpy()
    n = len(at)

    def placed(values: np.ndarray) -> np.ndarray:
        out = np.empty(n, dtype=values.dtype)
        out[at] = values
        return out

    frame = {}
    for c in present:
        column = table.column(c).combine_chunks()
        if c == "donor_id":
            codes = placed(column.to_numpy())
            try:
                frame[c] = pd.Categorical.from_codes(codes, categories=categories, validate=False)
            except ValueError:  # two ids with one 64-bit pseudonym (odds ~n²/2⁶⁵): as the loader does
                merged, distinct = pd.factorize(categories.to_numpy())
                frame[c] = pd.Categorical.from_codes(merged[codes],
                                                     categories=pd.Index(distinct, dtype=object))
        elif c == "visit_date":
            frame[c] = pd.array(placed(column.to_numpy(zero_copy_only=False).astype("datetime64[ns]")))
        elif c in ("birth_year", "volume_ml"):
            values = placed(column.fill_null(0).to_numpy().astype("int64"))
            frame[c] = pd.arrays.IntegerArray(values, placed(column.is_null().to_numpy(zero_copy_only=False)))
        elif column.null_count == len(column) or not hasattr(column, "dictionary"):
            frame[c] = pd.Categorical(np.full(n, None, dtype=object))
        else:  # an ENUM of the sorted distinct values: the loader's categories
            codes = placed(column.indices.cast("int64").fill_null(-1).to_numpy(zero_copy_only=False))
            words = np.asarray(column.dictionary.to_pylist(), dtype=object)
            frame[c] = pd.Categorical.from_codes(codes, categories=pd.Index(words, dtype=object))
    return pd.DataFrame(frame, index=pd.RangeIndex(n), copy=False)
