"""Hostile and broken input files: each ends fast, small, with one line per problem.

Every file is made here at test time (no bomb is stored in git). Each case runs
`python -m analysis check FILE --kind sessions` in a child process whose address
space is capped (RLIMIT_AS) and which is killed after a timeout; the case checks
the exit code, the lines on stderr, and the child's time and peak memory. The
children are forked from a process that imported the command's modules once
(capped.py), so a case's time and memory are its file's. The bounds are guards
against a file that makes the workbook read without end, not benchmarks: a
healthy case takes well under a second and 75-170 MiB.

Where a "huge" file only has to be past a limit, the limit is set low in the
child (WORKBOOK_MAX_ROWS=...) so the file can stay small; the byte limit, the
xlsx zip directory, a 200 MB line of commas and a 5-million-column header are
met at their real size. The cases run two at a time.
"""

from __future__ import annotations

import base64
import itertools
import os
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.errors import InputError, ParamsError, SettingError
from analysis.inputs import limits
from analysis.inputs.load import load
from analysis.inputs.values import parse_count, parse_date, parse_text
from analysis.model import disclosure
from analysis.output import cells, publish
from analysis.output.record import Recorder, parameter_names
from analysis.run import params

ROOT = Path(__file__).resolve().parents[2]
GiB = 2**30
MiB = 2**20
HEADER = "session_date,site,units\n"

# Each case's child is forked from one process that imported the command's modules
# (multiprocessing's fork server): it still runs `python -m analysis` in a process of its
# own, under its own cap, environment and working folder (see capped.py), without paying
# the imports again (about 0.6 s of CPU a case).
PRELOAD = ["analysis.run.cli", "analysis.run.check", "analysis.inputs.read_xlsx",
           "analysis.inputs.read_parquet"]


def _fork_server():
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    cpu: float  # seconds of user and system time
    peak: int  # bytes

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


def guarded(args: list[str], env: dict[str, str] | None = None, memory: int = 2 * GiB,
            timeout: float = 60) -> Outcome:
    """`python -m analysis ARGS` under RLIMIT_AS=`memory`, killed after `timeout` seconds."""
    import capped

    with tempfile.TemporaryDirectory() as scratch:
        out, err, report = (Path(scratch) / name for name in ("out", "err", "report"))
        out.touch()
        err.touch()
        start = time.monotonic()
        child = _fork_server().Process(target=capped.run, args=(
            memory, str(report), list(args), {**os.environ, **(env or {})}, str(ROOT), str(out), str(err)))
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
        seconds = time.monotonic() - start
        # a child killed before it could say: its peak counts as the whole cap
        peak, cpu = (report.read_text().split() if report.exists() else (memory // 1024, "nan"))
        return Outcome(child.exitcode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                       seconds, float(cpu), int(peak) * 1024)


# ------------------------------------------------------------------ file makers

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_xlsx(path: Path, rows, strings=None, level: int = 1, extra_parts: int = 0) -> None:
    """A minimal workbook written part by part: `rows` are <row> elements (text),
    `strings` the shared strings; both streamed, so a big sheet costs no memory here."""
    overrides = [("/xl/workbook.xml", f"{SHEET}.sheet.main+xml"),
                 ("/xl/worksheets/sheet1.xml", f"{SHEET}.worksheet+xml")]
    rels = [f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{SHEET}.sharedStrings+xml"))
        rels.append(f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    types = ("".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   f"{types}</Types>")
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>')
        for i in range(extra_parts):
            z.writestr(f"xl/media/note{i}.xml", "<note/>")
        _stream(z, "xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>', rows,
                "</sheetData></worksheet>")
        if strings is not None:
            _stream(z, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">',
                    (f"<si><t>{s}</t></si>" for s in strings), "</sst>")


def _stream(z: zipfile.ZipFile, name: str, head: str, body, tail: str) -> None:
    body = iter(body)
    with z.open(name, "w", force_zip64=True) as part:
        part.write(head.encode())
        for chunk in iter(lambda: "".join(itertools.islice(body, 20000)), ""):
            part.write(chunk.encode())
        part.write(tail.encode())


def cell(ref: str, value) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def xlsx_row(n: int, *values) -> str:
    return f'<row r="{n}">' + "".join(cell(f"{'ABC'[i]}{n}", v) for i, v in enumerate(values)) + "</row>"


def sessions(n: int):
    yield xlsx_row(1, "session_date", "site", "units")
    for i in range(n):
        yield xlsx_row(i + 2, f"2023-08-{1 + i % 28:02d}", f"Site {i}", i % 500)


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _repeat(path: Path, chunk: bytes, times: int, tail: bytes = b"") -> None:
    with open(path, "wb") as f:
        for _ in range(times):
            f.write(chunk)
        f.write(tail)


def make_xfd(path):  # every row holds one cell, in the last column
    write_xlsx(path, itertools.chain([xlsx_row(1, "session_date", "site", "units")],
                                     (f'<row r="{n}">{cell(f"XFD{n}", "x")}</row>'
                                      for n in range(2, 100_002))))


def make_shared_bomb(path):  # 6 million shared strings, 100 MB unzipped, for one cell
    write_xlsx(path, [xlsx_row(1, "session_date", "site", "units")],
               strings=itertools.repeat("a", 6_000_000), level=9)


def make_shared_unused(path):
    write_xlsx(path, [xlsx_row(1, "session_date", "site", "units")],
               strings=(f"s{i}" for i in range(300_000)))


def make_many_rows(path):
    write_xlsx(path, sessions(150_000))


def make_some_rows(path):
    write_xlsx(path, sessions(25_000))


def make_far_row(path):
    write_xlsx(path, [xlsx_row(1, "session_date", "site", "units"),
                      xlsx_row(1_500_000_000, "2023-08-04", "Site A", 5)])


def make_many_parts(path):
    write_xlsx(path, sessions(2), extra_parts=200)


def make_uncached_formula(path):
    book = openpyxl.Workbook()
    book.active.append(["session_date", "site", "units"])
    book.active.append(["2023-08-04", "Site A", "=SUM(B5:B9)"])  # openpyxl saves no result
    book.save(path)


def make_xlsx_1e19(path):
    book = openpyxl.Workbook()
    book.active.append(["session_date", "site", "units"])
    book.active.append(["2023-08-04", "Site A", 1e19])
    book.save(path)


def make_commas(path):  # a 200 MB line of commas
    _repeat(path, b"," * (8 * MiB), 25, b"\n")


def make_wide_header(path):  # a header of 5 million columns (44 MB)
    with open(path, "w", encoding="utf-8") as f:
        f.write("session_date,site,units,")
        f.write(",".join(f"c{i}" for i in range(5_000_000)))
        f.write("\n2023-08-04,Site A,5\n")


def make_base64_lines(path):  # 64 MB of base64, 76 characters a line
    _repeat(path, base64.encodebytes(os.urandom(3 * MiB)), 16)


def make_base64_line(path):  # 64 MB of base64 on one line
    _repeat(path, base64.b64encode(os.urandom(3 * MiB)), 16)


def make_past_byte_limit(path):  # 3 GiB, past the default limit, stored sparse
    with open(path, "wb") as f:
        f.truncate(3 * GiB)


def make_fifo(path):
    os.mkfifo(path)


def make_link_to_system_file(path):
    path.symlink_to("/etc/passwd")


def make_not_a_table(path):
    _text(path, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          * 20)


def make_parquet_nested(path):
    pq.write_table(pa.table({"session_date": ["2023-08-04"], "site": [{"name": "A", "unit": 1}],
                             "units": [b"\x00\x01"]}), path)


def make_parquet_rows(path):  # three million rows in 50 KB
    codes = pa.array(np.zeros(3_000_000, dtype=np.int8))
    pq.write_table(pa.table({
        "session_date": pa.DictionaryArray.from_arrays(codes, pa.array(["2023-08-04"])),
        "site": pa.DictionaryArray.from_arrays(codes, pa.array(["Site A"])),
        "units": pa.DictionaryArray.from_arrays(codes, pa.array([5])),
    }), path)


def make_parquet_1e19(path):
    pd.DataFrame({"session_date": ["2023-08-04", "2023-08-05"], "site": ["A", "B"],
                  "units": [5.0, 1e19]}).to_parquet(path)


def make_duplicates(path):  # 100,000 identical rows
    path.write_bytes(HEADER.encode() + b"2023-08-04,Site A,5\n" * 100_000)


def make_control(path):
    rows = [f"2023-08-{1 + i % 28:02d},Site {i},{i}" for i in range(200)]
    rows[3] = "2023-08-04,Site\x07A,12"
    rows[5] = "2023-08-06,\x1b[31mSite B,3"
    _text(path, HEADER + "\n".join(rows) + "\n")


FILES: dict[str, Callable[[Path], None]] = {
    "xfd.xlsx": make_xfd,
    "shared_bomb.xlsx": make_shared_bomb,
    "shared_unused.xlsx": make_shared_unused,
    "many_rows.xlsx": make_many_rows,
    "some_rows.xlsx": make_some_rows,
    "far_row.xlsx": make_far_row,
    "many_parts.xlsx": make_many_parts,
    "formula.xlsx": make_uncached_formula,
    "big_number.xlsx": make_xlsx_1e19,
    "commas.csv": make_commas,
    "wide_header.csv": make_wide_header,
    "base64_lines.csv": make_base64_lines,
    "base64_line.csv": make_base64_line,
    "huge.csv": make_past_byte_limit,
    "fifo.csv": make_fifo,
    "folder.csv": lambda p: p.mkdir(),
    "link.csv": make_link_to_system_file,
    "passwd.csv": make_not_a_table,
    "nested.parquet": make_parquet_nested,
    "rows.parquet": make_parquet_rows,
    "big_number.parquet": make_parquet_1e19,
    "duplicates.csv": make_duplicates,
    "control.csv": make_control,
    "unclosed.csv": lambda p: _text(p, HEADER + '2023-08-04,"Site A,600\n' + "".join(
        f"2023-08-{d:02d},Site {d},{d}\n" for d in range(5, 16))),
    "digits.csv": lambda p: _text(p, HEADER + "2023-08-04,Site A,１２\n2023-08-05,Site B,٣٤\n"),
    "time.csv": lambda p: _text(p, HEADER + "2023-08-04T25:61,Site A,12\n2023-08-05 10:30,Site B,3\n"),
    "zero_width.csv": lambda p: _text(p, HEADER + "2023-08-04,Site A,12\n2023-08-04,Site A\u200b,3\n"
                                      "2023-08-04,Site\u2060 A\ufeff,4\n"),
    "long_cell.csv": lambda p: _text(p, HEADER + "2023-08-04," + "x" * 120_000 + ",5\n"),
}


@dataclass
class Case:
    id: str
    file: str  # a name in FILES, or an absolute path
    code: int
    says: str  # a fragment the (first) line must hold
    where: str | None = None  # "row:column" of the first line
    lines: int | None = 1  # how many lines on stderr (None: not counted)
    env: dict = field(default_factory=dict)
    seconds: float = 60


LIMIT = "more than the limit of"
CASES = [
    # bounds
    Case("xlsx-cell-in-column-XFD", "xfd.xlsx", 1, "a cell in column XFD", "2:column XFD"),
    Case("xlsx-6M-shared-strings", "shared_bomb.xlsx", 1,
         "(raise it with the setting WORKBOOK_MAX_XLSX_RATIO)"),
    Case("xlsx-shared-strings-no-cell-uses", "shared_unused.xlsx", 1, "more than its sheets have room",
         env={"WORKBOOK_MAX_XLSX_RATIO": "100000"}),
    Case("xlsx-unzips-past-limit", "many_rows.xlsx", 1, "WORKBOOK_MAX_XLSX_BYTES",
         env={"WORKBOOK_MAX_XLSX_BYTES": "5000000"}),
    Case("xlsx-rows-past-limit", "some_rows.xlsx", 1, "the sheet has a row 20,001",
         env={"WORKBOOK_MAX_ROWS": "20000"}),
    Case("xlsx-row-1.5-billion", "far_row.xlsx", 1, "row 1,500,000,000 is past the last row"),
    Case("xlsx-parts-past-limit", "many_parts.xlsx", 1, "WORKBOOK_MAX_XLSX_PARTS",
         env={"WORKBOOK_MAX_XLSX_PARTS": "100"}),
    Case("csv-200MB-line-of-commas", "commas.csv", 1, "(raise it with the setting WORKBOOK_MAX_COLUMNS)",
         "1:"),
    Case("csv-5M-column-header", "wide_header.csv", 1, "WORKBOOK_MAX_COLUMNS", "1:"),
    Case("csv-64MB-base64-lines", "base64_lines.csv", 1, "missing column session_date", "1:", lines=3),
    Case("csv-64MB-base64-one-line", "base64_line.csv", 1, "WORKBOOK_MAX_CELL_CHARS", "1:"),
    Case("file-past-byte-limit", "huge.csv", 1, "the file holds 3,221,225,472 bytes, " + LIMIT),
    Case("parquet-3M-rows-in-50KB", "rows.parquet", 1, "the file states 3,000,000 rows",
         env={"WORKBOOK_MAX_ROWS": "1000000"}),
    Case("cell-of-120KB", "long_cell.csv", 1, "(120,000 characters) is " + LIMIT, "2:site"),
    Case("bad-setting", "zero_width.csv", 2, "setting: WORKBOOK_MAX_ROWS='lots' is not a whole number",
         env={"WORKBOOK_MAX_ROWS": "lots"}),
    # not regular files
    Case("dev-zero", "/dev/zero", 1, "is a device, expected a CSV, XLSX or Parquet file"),
    Case("fifo", "fifo.csv", 1, "is a named pipe (FIFO)"),
    Case("folder", "folder.csv", 1, "is a folder"),
    Case("link-to-system-file", "link.csv", 1, "is a link to a file outside its own folder"),
    Case("not-a-table", "passwd.csv", 1, "missing column session_date", "1:", lines=3),
    # nothing lost silently
    Case("unclosed-quote", "unclosed.csv", 1, "is a closing quote missing?", "2:site"),
    Case("formula-without-result", "formula.xlsx", 1, "the formula '=SUM(B5:B9)' has no saved result",
         "2:units"),
    Case("parquet-struct-and-binary", "nested.parquet", 1, "holds records of several fields", "1:site",
         lines=2),
    Case("fullwidth-and-arabic-indic-digits", "digits.csv", 1, "'１２' is not a number", "2:units",
         lines=2),
    Case("impossible-time", "time.csv", 1, "has an impossible time of day", "2:session_date"),
    Case("zero-width-names-are-one-site", "zero_width.csv", 1, "repeats row 2 (same session_date, site)",
         "3:session_date", lines=2),
    Case("control-characters", "control.csv", 1, "holds a control character (U+0007)", "5:site",
         lines=2),
    Case("xlsx-1e19", "big_number.xlsx", 1, "1e+19 is too large", "2:units"),
    Case("parquet-1e19", "big_number.parquet", 1, "1e+19 is too large", "3:units"),
    # fast rules
    Case("100k-identical-rows", "duplicates.csv", 1, "repeats row 2", "3:session_date", lines=21,
         seconds=30),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome | BaseException]:
    """Every case made and checked, two at a time."""
    folder = tmp_path_factory.mktemp("hostile")
    made: dict[str, Path] = {}
    lock = threading.Lock()

    def path_of(name: str) -> Path:
        if name.startswith("/"):
            return Path(name)
        with lock:
            if name not in made:
                made[name] = folder / name
                FILES[name](made[name])
        return made[name]

    def run(case: Case) -> Outcome | BaseException:
        try:
            path = path_of(case.file)
            return guarded(["check", str(path), "--kind", "sessions"], case.env)
        except Exception as exc:  # noqa: BLE001 - shown by the case's own test
            return exc

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip([c.id for c in CASES], pool.map(run, CASES), strict=True))
    return results


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_ends_fast_and_small_with_one_line_a_problem(case, outcomes):
    result = outcomes[case.id]
    if isinstance(result, BaseException):
        raise result
    print(f"{case.id}: {result.seconds:.2f} s ({result.cpu:.2f} s CPU), {result.peak / MiB:.0f} MiB")
    assert result.code == case.code, (result.code, result.err[-2000:])
    lines = result.lines
    assert lines and case.says in lines[0], result.err[-2000:]
    if case.lines is not None:
        assert len(lines) == case.lines, result.err[-2000:]
    if case.where is not None:
        assert f":{case.where}:" in lines[0], lines[0]
    assert all(len(line) < 400 for line in lines), max(lines, key=len)[:500]
    assert "Traceback" not in result.err and "MemoryError" not in result.err
    assert result.seconds < case.seconds and result.peak < 2 * GiB


def test_a_file_that_is_not_a_table_is_never_quoted(outcomes):
    for case in ("not-a-table", "csv-64MB-base64-lines"):
        err = outcomes[case].err
        assert "bin/bash" not in err and "found:" not in err
    err = outcomes["link-to-system-file"].err
    assert "bin/" not in err


def test_limit_lines_name_the_limit_and_its_setting(outcomes):
    for case in CASES:
        result = outcomes[case.id]
        if case.code == 1 and "WORKBOOK_MAX_" in result.err:
            line = result.lines[0]
            assert LIMIT in line and "(raise it with the setting WORKBOOK_MAX_" in line, line


def test_every_limit_has_a_setting_and_a_default_that_fits_a_registry():
    assert {b.setting for b in limits.LIMITS.values()} == {
        "WORKBOOK_MAX_BYTES", "WORKBOOK_MAX_ROWS", "WORKBOOK_MAX_COLUMNS", "WORKBOOK_MAX_CELL_CHARS",
        "WORKBOOK_MAX_XLSX_BYTES", "WORKBOOK_MAX_XLSX_PARTS", "WORKBOOK_MAX_XLSX_RATIO"}
    assert limits.limit("bytes") == 2 * GiB and limits.limit("rows") == 50_000_000
    assert limits.limit("columns") == 1_000 and limits.limit("cell_chars") == 1_000
    assert limits.limit("xlsx_bytes") < 1.5e9  # a workbook that unzips to 1.5 GB is refused


def test_a_setting_raises_its_limit(tmp_path, monkeypatch):
    path = tmp_path / "s.csv"
    _text(path, HEADER + "2023-08-04," + "x" * 1500 + ",5\n")
    with pytest.raises(InputError, match="WORKBOOK_MAX_CELL_CHARS"):
        load(path, "sessions")
    monkeypatch.setenv("WORKBOOK_MAX_CELL_CHARS", "2_000")
    assert load(path, "sessions")["site"][0] == "x" * 1500
    monkeypatch.setenv("WORKBOOK_MAX_CELL_CHARS", "0")
    with pytest.raises(SettingError, match="WORKBOOK_MAX_CELL_CHARS='0'"):
        load(path, "sessions")


# ------------------------------------------------------------- values, in process


def test_names_are_nfc_without_zero_width_characters():
    assert parse_text("Site\u200b A\u2060\ufeff") == "Site A"
    assert parse_text("Tru\u0323 so\u031b\u0309") == "Trụ sở"  # decomposed accents come out composed
    assert parse_text("\u200b\u200c\u200d") is None


def test_digits_and_times_that_are_not_plain_are_refused():
    for text in ("１２", "٣٤", "۵"):
        value, error = parse_count(text)
        assert value is None and "digits 0-9" in error
    for text in ("2023-08-04T25:61", "04/08/2023 23:60", "2023-08-04 10:00:61"):
        value, error = parse_date(text)
        assert value is None and "impossible time" in error, text
    assert parse_date("2023-08-04T23:59:59")[0] == pd.Timestamp(2023, 8, 4)
    assert parse_count(1e19)[1] == "1e+19 is too large, expected a whole number such as 26203 or 26.203"
    assert parse_count(np.uint64(2**63))[1].startswith("9223372036854775808 is too large")


def test_a_quoted_cell_over_lines_is_kept_when_it_holds_no_rows(tmp_path):
    path = tmp_path / "s.csv"
    _text(path, HEADER + '2023-08-04,"Trụ sở\nHà Nội, tầng 2",600\n2023-08-05,Site B,250\n')
    frame = load(path, "sessions")
    assert frame["site"].tolist() == ["Trụ sở Hà Nội, tầng 2", "Site B"]


def test_an_unclosed_quote_at_the_end_loses_no_row_silently(tmp_path):
    path = tmp_path / "s.csv"
    _text(path, HEADER + "2023-08-04,Site A,600\n" + '2023-08-05,"Site B,250\n2023-08-06,Site C,3')
    with pytest.raises(InputError, match="is a closing quote missing"):
        load(path, "sessions")


# ---------------------------------------------------------- outputs, in process

HOSTILE_NAMES = ['=HYPERLINK("http://x","click")', "=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tTab",
                 "\rCR", "'=quoted", "Bell\x07 and \x1b[31mescape", "<script>alert(1)</script>"]


def _table() -> pd.DataFrame:
    return pd.DataFrame({"site": HOSTILE_NAMES, "units": range(-5, 5), "share": np.linspace(-1, 1, 10)})


def recorder(out: Path) -> Recorder:
    """A Recorder as a campaign_progress notebook makes it, writing into `out`."""
    namespace = dict.fromkeys(parameter_names("campaign_progress"))
    return Recorder("campaign_progress", {**namespace, "lang": "en", "output_dir": str(out)})


def test_tables_written_as_csv_are_inert_and_read_back_unchanged(tmp_path):
    recorder(tmp_path).table(disclosure.no_people(_table()), "sites", show=False)
    written = pd.read_csv(tmp_path / "tables" / "sites.csv", encoding="utf-8-sig")
    texts = written["site"].tolist()
    assert len(texts) == len(HOSTILE_NAMES)  # a carriage return broke no row in two
    assert all(not t.startswith(cells.FORMULA_STARTS) for t in texts), texts
    assert texts[0] == "'" + HOSTILE_NAMES[0] and texts[6] == "'\nCR" and texts[7] == "''=quoted"
    assert not any(ch in t for t in texts for ch in "\x07\x1b\r")
    assert written["units"].tolist() == list(range(-5, 5))  # negative numbers stay numbers
    back = cells.from_csv(written)["site"].tolist()
    assert back[:6] == HOSTILE_NAMES[:6] and back[6:8] == ["\nCR", "'=quoted"]


def test_the_summary_workbook_holds_no_formula_and_no_control_character(tmp_path):
    report = tmp_path / "run" / "campaign_progress"
    report.mkdir(parents=True)
    (report / "metrics.json").write_text(
        '{"metrics": {"best_site": "=1+1", "units": -5, "note": "a\\u0007b"}, "meta": {}}', "utf-8")
    recorder(report).table(disclosure.no_people(_table().rename(columns={"site": "=site"})), "sites",
                           show=False)
    publish.write_summary_xlsx(tmp_path / "run")
    assert not list((tmp_path / "run").glob(".*.tmp"))
    with zipfile.ZipFile(tmp_path / "run" / "summary.xlsx") as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "\x07" not in xml
    book = openpyxl.load_workbook(tmp_path / "run" / "summary.xlsx")
    values = [[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()]
    flat = [v for row in values for v in row]
    for name in HOSTILE_NAMES[:6] + ["\nCR", "'=quoted", "Bell and [31mescape"]:
        assert name in flat, name
    assert "=site" in flat and "=1+1" in flat and "ab" in flat and -5 in flat
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


# ----------------------------------------------------------------- `run` preflight


def test_run_refuses_a_folder_a_pipe_and_a_big_file_before_any_notebook(tmp_path, monkeypatch):
    folder, pipe, big = tmp_path / "d.csv", tmp_path / "p.csv", tmp_path / "big.csv"
    folder.mkdir()
    os.mkfifo(pipe)
    _text(big, HEADER + "2023-08-04,Site A,5\n" * 100)
    monkeypatch.setenv("WORKBOOK_MAX_BYTES", "1000")
    for path, says in [(folder, "is a folder"), (pipe, "is a named pipe (FIFO)"),
                       (big, "WORKBOOK_MAX_BYTES"), (tmp_path / "none.csv", "file not found")]:
        with pytest.raises(ParamsError) as raised:
            params.check_inputs("campaign_progress", {"sessions_path": str(path)}, "test")
        (line,) = raised.value.problems
        assert says in line and line.startswith(f"test: parameter 'sessions_path': input {path}: "), line


def test_run_refuses_a_line_too_long_for_any_kind_before_a_reader_splits_it(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_MAX_COLUMNS", "10")  # a line of 230 characters at most
    monkeypatch.setenv("WORKBOOK_MAX_CELL_CHARS", "10")
    commas = tmp_path / "series.csv"
    _text(commas, "," * 5000 + "\n")
    for name in ("timeseries_path", "totals_path"):  # the trends reader sniffs a CSV itself
        with pytest.raises(ParamsError) as raised:
            params.check_inputs("trends", {name: str(commas)}, "test")
        (line,) = raised.value.problems
        assert "line 1 holds 5,001 cells" in line and "WORKBOOK_MAX_COLUMNS" in line, line


def test_workbook_run_on_a_pipe_exits_2_and_does_not_say_not_found(tmp_path):
    pipe = tmp_path / "sessions.csv"
    os.mkfifo(pipe)
    result = guarded(["run", "-n", "campaign_progress", "-p", "sessions_path", str(pipe),
                      "-o", str(tmp_path / "out")], timeout=120)
    assert result.code == 2, result.err
    assert "is a named pipe (FIFO)" in result.err and "not found" not in result.err
    assert not (tmp_path / "out").exists()
