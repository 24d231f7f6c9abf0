"""The data layer: every accepted format loads to the same frame; every bad file is refused.

Good files are written into tmp_path at test time from one frame (see
`write_*`), so no binary is committed. Bad files are small CSVs under
tests/data/bad/, plus the odd shapes (binary, encodings, broken workbooks)
made here. Each bad case names the message fragment and the place
(`row:column`) a user must be shown, and `workbook check` must exit 1.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis import inputs
from analysis.errors import InputError, InputNote, UncheckedWarning
from analysis.inputs import pseudonyms, read, read_parquet, schema
from analysis.inputs import values as parsing
from analysis.inputs.load import load, read_table, validate
from analysis.inputs.problems import Problem
from analysis.run import check

BAD = Path(__file__).parents[1] / "data" / "bad"

# ------------------------------------------------------------------ good data

SESSIONS = pd.DataFrame(
    {
        "session_date": pd.to_datetime(["2023-08-04", "2023-08-05", "2023-08-12", "2023-08-25"]),
        "site": ["Trụ sở Công an thành phố", "Công an quận Hoàn Kiếm", "Công an quận Ba Đình",
                 "Công an huyện Đông Anh"],
        "units": pd.array([1012, 250, 300, 850], dtype="Int64"),
        "campaign_id": ["giotmau-2023"] * 4,
        "registered": pd.array([1500, 300, None, 1000], dtype="Int64"),
        "turns": pd.array([1200, 290, 330, 980], dtype="Int64"),
        "deferred": pd.array([188, 40, 30, 130], dtype="Int64"),
        "volume_250": pd.array([12, 50, 0, 50], dtype="Int64"),
        "volume_350": pd.array([600, 150, 200, 500], dtype="Int64"),
        "volume_450": pd.array([400, 50, 100, 300], dtype="Int64"),
    }
)
SESSIONS["campaign_id"] = SESSIONS["campaign_id"].astype(object)
SESSIONS["site"] = SESSIONS["site"].astype(object)

VI_HEADERS = {
    "session_date": "Ngày",
    "site": "Điểm hiến máu",
    "units": "Số đơn vị máu",
    "campaign_id": "Mã chiến dịch",
    "registered": "Số đăng ký",
    "turns": "Số lượt",
    "deferred": "Bị hoãn",
    "volume_250": "250ml",
    "volume_350": "350ml",
    "volume_450": "450ml",
}


def _count_text(value, sep: str) -> str:
    """1012 -> '1.012' (or with `sep`); empty for a missing value."""
    return "" if pd.isna(value) else f"{int(value):,}".replace(",", sep)


def _as_text(frame: pd.DataFrame, date_format: str, sep: str) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name, values in frame.items():
        if str(values.dtype) == "Int64":
            out[name] = [_count_text(v, sep) for v in values]
        elif name == "session_date":
            out[name] = [_day_first(d) if date_format == "dmy" else f"{d:%Y-%m-%d}" for d in values]
        else:
            out[name] = values
    return out


def _day_first(day: pd.Timestamp) -> str:
    return f"{day.day}/{day.month}/{day.year}"  # 4/8/2023, as typed in Excel


def write_iso_csv(path: Path) -> None:
    SESSIONS.to_csv(path, index=False, date_format="%Y-%m-%d")


def write_vietnamese_bom_csv(path: Path) -> None:
    text = _as_text(SESSIONS, "dmy", ".").rename(columns=VI_HEADERS)
    text.to_csv(path, index=False, sep=";", encoding="utf-8-sig")


def write_excel_unicode_text(path: Path) -> None:
    """Excel's "Unicode text": UTF-16 LE with BOM, tab-separated, counts as '1 012' (NBSP)."""
    text = _as_text(SESSIONS, "dmy", "\u00a0").rename(columns=VI_HEADERS)
    body = text.to_csv(index=False, sep="\t", lineterminator="\r\n")
    path.write_bytes(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))


def write_xlsx_with_title(path: Path) -> None:
    """A sheet as typed at a site: two title rows, then the header, dates as date cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["BÁO CÁO KẾT QUẢ HIẾN MÁU - GIỌT MÁU NGHĨA TÌNH 2023"])
    sheet.append(["Đơn vị: Đoàn Thanh niên Công an thành phố Hà Nội"])
    sheet.append(list(VI_HEADERS.values()))
    for row in SESSIONS.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    book.save(path)


def _cell(value):
    """A frame value as openpyxl stores it: None, datetime, int or str."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value if isinstance(value, str) else int(value)


def write_xlsx_text_cells(path: Path) -> None:
    """Every cell typed as text: '04-08-2023', '1.012'; headers without accents, upper case."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([schema.fold_accents(h).upper() for h in VI_HEADERS.values()])
    text = _as_text(SESSIONS, "iso", ".")
    text["session_date"] = [f"{d:%d-%m-%Y}" for d in SESSIONS["session_date"]]
    for row in text.itertuples(index=False):
        sheet.append(list(row))
    book.save(path)


def write_parquet(path: Path) -> None:
    SESSIONS.to_parquet(path, index=False)


def write_nfd_mapped_csv(path: Path) -> None:
    """Headers in NFD (as macOS writes them), one renamed and given by the column mapping."""
    headers = {**VI_HEADERS, "units": "ĐV thu được"}
    text = _as_text(SESSIONS, "dmy", ",").rename(columns=headers)
    text.columns = [unicodedata.normalize("NFD", c) for c in text.columns]
    text.to_csv(path, index=False)


GOOD_FORMATS = {
    "iso.csv": (write_iso_csv, None),
    "vietnamese_bom.csv": (write_vietnamese_bom_csv, None),
    "unicode_text.txt": (write_excel_unicode_text, None),
    "title_row.xlsx": (write_xlsx_with_title, None),
    "text_cells.xlsx": (write_xlsx_text_cells, None),
    "sessions.parquet": (write_parquet, None),
    "nfd_mapped.csv": (write_nfd_mapped_csv, {"units": "ĐV thu được"}),
}


@pytest.mark.parametrize("name", GOOD_FORMATS)
def test_every_format_loads_to_the_same_frame(tmp_path, name):
    write, columns = GOOD_FORMATS[name]
    path = tmp_path / name
    write(path)
    frame = load(path, "sessions", columns)
    pd.testing.assert_frame_equal(frame, SESSIONS)


def test_output_types(tmp_path):
    frame = load(_good(tmp_path), "sessions")
    assert str(frame["units"].dtype) == "Int64"
    assert str(frame["session_date"].dtype) == "datetime64[ns]"
    assert frame["site"].map(type).eq(str).all()
    assert list(frame.columns[:3]) == ["session_date", "site", "units"]


def _good(folder: Path) -> Path:
    path = folder / "sessions.csv"
    write_iso_csv(path)
    return path


def test_check_prints_a_summary(tmp_path, capsys):
    assert check.run_check(str(_good(tmp_path)), "sessions", None) == 0
    out = capsys.readouterr().out.strip()
    assert out == ("sessions.csv: 4 rows, 04/08/2023–25/08/2023, units 2,412, turns 2,800, "
                   "registered 2,800, deferred 388")


# ------------------------------------------------------------------- bad files


@dataclass(frozen=True)
class Bad:
    """A file the workbook must refuse: where it is, what the user is told, and where."""

    name: str
    kind: str
    fragment: str
    where: str | None = None  # "row:column" as the message must show it
    columns: dict = field(default_factory=dict)


def _bytes(data: bytes):
    return lambda path: path.write_bytes(data)


def _utf16_with_error(path: Path) -> None:
    body = "Ngày\tĐiểm hiến máu\tSố đơn vị máu\r\n4/8/2023\tTrụ sở\t600\r\n5/8/2023\tHoàn Kiếm\t12,5\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + body.encode("utf-16-le"))


def _xlsx_title_with_error(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["KẾT QUẢ HIẾN MÁU 2023"])
    sheet.append(["Ngày", "Điểm hiến máu", "Số đơn vị máu"])
    sheet.append([pd.Timestamp("2023-08-04").to_pydatetime(), "Trụ sở", 600])
    sheet.append([pd.Timestamp("2023-08-05").to_pydatetime(), "Hoàn Kiếm", -3])
    book.save(path)


def _xlsx_number_as_date(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ngày", "Điểm hiến máu", "Số đơn vị máu"])
    sheet.append([45142, "Trụ sở", 600])
    book.save(path)


def _parquet_decimal(path: Path) -> None:
    pd.DataFrame({"session_date": pd.to_datetime(["2023-08-04", "2023-08-05"]),
                  "site": ["Trụ sở", "Hoàn Kiếm"], "units": [600.0, 12.5]}).to_parquet(path)


def _latin(path: Path) -> None:
    """Excel's plain 'CSV' on a Vietnamese Windows: code page 1258, not UTF-8."""
    path.write_bytes("session_date,site,units\n2023-08-04,Đông Anh,600\n".encode("cp1258"))


MADE = {
    "empty.csv": _bytes(b""),
    "blank_lines.csv": _bytes(b"\r\n  \r\n\r\n"),
    "bom_only.csv": _bytes(codecs.BOM_UTF8 + b"\r\n"),
    "garbage.csv": _bytes(bytes(range(256)) * 8),
    "cp1258.csv": _latin,
    "old_excel.xls": _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
    "broken.xlsx": _bytes(b"PK\x03\x04" + b"not really a zip" * 10),
    "broken.parquet": _bytes(b"PAR1" + b"\x01\x02garbage" * 10),
    "cut_utf16.txt": _bytes(codecs.BOM_UTF16_LE + "Ngày\tĐiểm".encode("utf-16-le") + b"\x41"),
    "unicode_text_error.txt": _utf16_with_error,
    "title_row_error.xlsx": _xlsx_title_with_error,
    "number_as_date.xlsx": _xlsx_number_as_date,
    "decimal.parquet": _parquet_decimal,
}

BAD_CASES = [
    # values
    Bad("sessions_decimal_units.csv", "sessions", "'12.5' is not a whole number", "3:units"),
    Bad("sessions_negative_count.csv", "sessions", "-5 is negative", "2:Bị hoãn"),
    Bad("sessions_text_count.csv", "sessions", "'nhiều' is not a number", "2:units"),
    Bad("sessions_impossible_date.csv", "sessions", "'31/02/2023' is not a real date", "2:Ngày"),
    Bad("sessions_unreadable_date.csv", "sessions", "'Aug 4th' is not a date", "2:session_date"),
    Bad("sessions_empty_site.csv", "sessions", "empty, expected a site", "3:site"),
    # rules across columns
    Bad("sessions_units_over_turns.csv", "sessions", "260 is more than Số lượt (250)",
        "3:Số đơn vị máu"),
    Bad("sessions_turns_over_registered.csv", "sessions", "expected turns ≤ registered", "2:turns"),
    Bad("sessions_deferred_over_turns.csv", "sessions", "701 is more than turns (700)",
        "2:deferred"),
    Bad("sessions_volumes_over_units.csv", "sessions",
        "250ml + 350ml + 450ml = 650 is more than 600", "2:units"),
    Bad("sessions_blood_over_units.csv", "sessions", "expected the breakdown not to exceed units",
        "2:units"),
    Bad("sessions_duplicate.csv", "sessions", "repeats row 2 (same session_date, site)",
        "4:session_date"),
    Bad("sessions_outside_campaign.csv", "sessions",
        "04/09/2023 is outside campaign giotmau-2023 (04/08/2023–25/08/2023)", "3:Ngày"),
    Bad("sessions_unknown_campaign.csv", "sessions",
        "unknown campaign 'giotmau-2032' (2 rows), expected one of giotmau-2020", "2:campaign_id"),
    Bad("sessions_total_row.csv", "sessions", "'Tổng cộng' looks like a total row",
        "4:Điểm hiến máu"),
    Bad("totals_duplicate.csv", "totals", "repeats row 2", "3:as_of"),
    Bad("totals_bad_qualifier.csv", "totals", "'roughly' is not a valid qualifier",
        "2:qualifier"),
    Bad("totals_units_over_turns.csv", "totals", "26203 is more than Số lượt (22348)",
        "2:Số đơn vị máu"),
    Bad("campaigns_duplicate.csv", "campaigns", "repeats row 2", "3:campaign_id"),
    Bad("campaigns_end_before_start.csv", "campaigns", "04/08/2023 is before the start 25/08/2023",
        "2:end_date"),
    Bad("timeseries_duplicate.csv", "timeseries", "repeats row 2 (same date, region)", "4:date"),
    Bad("timeseries_breakdown_over_total.csv", "timeseries",
        "age_18_29 + age_30_plus = 110 is more than 100", "2:donations"),
    Bad("visits_bad_outcome.csv", "visits", "this value is not a valid outcome", "3:Kết quả"),
    Bad("visits_bad_sex.csv", "visits", "this value is not a valid sex, expected M or F", "3:sex"),
    Bad("visits_duplicate.csv", "visits", "repeats row 2 (same donor_id, visit_date)",
        "3:donor_id"),
    Bad("visits_empty_donor.csv", "visits", "empty, expected a donor id", "3:donor_id"),
    Bad("visits_born_after_visit.csv", "visits", "2024 is after the visit on 04/08/2023",
        "2:birth_year"),
    # columns and shapes
    Bad("sessions_missing_units.csv", "sessions", "missing column units", "1:"),
    Bad("sessions_two_date_columns.csv", "sessions", "could both be session_date",
        "1:Ngày hiến máu"),
    Bad("totals_as_sessions.csv", "sessions", "these columns fit a totals file", "1:"),
    Bad("header_only.csv", "sessions", "no data rows below the header (row 1)", "1:"),
    Bad("mapping_names_absent_header.csv", "sessions", "the column mapping gives 'Số ĐV'", "1:",
        {"units": "Số ĐV"}),
    Bad("sessions_text_count.csv", "sessions", "the column mapping names 'unit'", None,
        {"unit": "units"}),
    Bad("many_problems.csv", "sessions", "... and 5 more problems", "2:units"),
    # files that are not tables, or not readable as such
    Bad("empty.csv", "sessions", "empty file"),
    Bad("blank_lines.csv", "sessions", "empty file"),
    Bad("bom_only.csv", "sessions", "empty file"),
    Bad("garbage.csv", "sessions", "not a table (binary content)"),
    Bad("cp1258.csv", "sessions", "not UTF-8 text (byte 0xD0)", "2:"),
    Bad("old_excel.xls", "sessions", "old Excel 97-2003 workbook"),
    Bad("broken.xlsx", "sessions", "not a readable Excel workbook"),
    Bad("broken.parquet", "sessions", "not a readable Parquet file"),
    Bad("cut_utf16.txt", "sessions", "not valid UTF-16 text"),
    Bad("no_such_file.csv", "sessions", "file not found"),
    Bad("a_folder", "sessions", "is a folder"),
    # row numbers as the user sees them, whatever the format
    Bad("unicode_text_error.txt", "sessions", "'12,5' is not a whole number", "3:Số đơn vị máu"),
    Bad("title_row_error.xlsx", "sessions", "-3 is negative", "4:Số đơn vị máu"),
    Bad("number_as_date.xlsx", "sessions", "45142 is a number, not a date", "2:Ngày"),
    Bad("decimal.parquet", "sessions", "12.5 is not a whole number", "3:units"),
]


def _bad_path(case: Bad, tmp_path: Path) -> Path:
    if case.name in MADE:
        path = tmp_path / case.name
        MADE[case.name](path)
        return path
    if case.name == "a_folder":
        (tmp_path / "a_folder").mkdir()
        return tmp_path / "a_folder"
    if case.name == "no_such_file.csv":
        return tmp_path / case.name
    return BAD / case.name


@pytest.mark.parametrize("case", BAD_CASES, ids=[f"{c.name}-{c.fragment[:20]}" for c in BAD_CASES])
def test_bad_file_is_refused_with_a_clear_line(case, tmp_path, capsys):
    path = _bad_path(case, tmp_path)
    columns = json.dumps(case.columns, ensure_ascii=False) if case.columns else None
    assert check.run_check(str(path), case.kind, columns) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if case.fragment in line]
    assert lines, f"{case.fragment!r} not in:\n{err}"
    if case.where is not None and not case.fragment.startswith("..."):
        assert f":{case.where}" in lines[0], lines[0]
    # one problem a line, in the contract's shape, never a traceback
    assert "Traceback" not in err
    assert all(line.startswith(str(path)) or line.startswith("...") for line in err.splitlines())


def test_bad_corpus_is_large_and_every_committed_file_is_used():
    assert len(BAD_CASES) >= 25
    used = {c.name for c in BAD_CASES}
    assert {p.name for p in BAD.glob("*.csv")} <= used


def test_problems_are_capped_at_twenty(capsys):
    assert check.run_check(str(BAD / "many_problems.csv"), "sessions", None) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 5 more problems"
    with pytest.raises(InputError) as raised:
        load(BAD / "many_problems.csv", "sessions")
    assert len(raised.value.problems) == 25


def test_problem_reads_file_row_column_message():
    assert str(Problem("s.csv", 4, "Số lượt", "bad, expected good")) == "s.csv:4:Số lượt: bad, expected good"
    assert str(Problem("s.csv", None, None, "file not found")) == "s.csv::: file not found"


# ------------------------------------------------------------------ the command


@pytest.mark.parametrize("columns_json", ["{units: 'x'}", "[1, 2]", '{"units": 3}'])
def test_bad_columns_json_is_a_usage_error(columns_json, tmp_path, capsys):
    assert check.run_check(str(_good(tmp_path)), "sessions", columns_json) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("--columns: ")


def test_unknown_kind_is_a_usage_error(tmp_path, capsys):
    assert check.run_check(str(_good(tmp_path)), "donors", None) == 2
    assert "expected one of campaigns" in capsys.readouterr().err


def test_check_accepts_a_mapping(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("Hôm,Nơi,ĐV\n04/08/2023,Trụ sở,600\n", encoding="utf-8")
    mapping = json.dumps({"session_date": "Hôm", "site": "Nơi", "units": "ĐV"})
    assert check.run_check(str(path), "sessions", mapping) == 0
    assert "units 600" in capsys.readouterr().out


# ------------------------------------------------------------------- campaigns


def test_campaign_without_dates_is_loaded_with_a_note(tmp_path, capsys):
    path = tmp_path / "s2022.csv"
    path.write_text("session_date,site,units,campaign_id\n2022-08-04,Trụ sở,600,giotmau-2022\n",
                    encoding="utf-8")
    with pytest.warns(UncheckedWarning, match="giotmau-2022 has no published dates"):
        load(path, "sessions")
    assert check.run_check(str(path), "sessions", None) == 0
    assert "note: " in capsys.readouterr().err


def test_campaigns_argument_replaces_the_published_table(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("session_date,site,units,campaign_id\n2026-05-02,Trụ sở,600,GiotMau-2026\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="unknown campaign 'giotmau-2026'"):
        load(path, "sessions")
    plans = pd.DataFrame({"campaign_id": ["giotmau-2026"], "start_date": ["2026-05-01"],
                          "end_date": ["2026-05-31"], "target_units": [2500]})
    frame = load(path, "sessions", campaigns=plans)
    assert frame.loc[0, "campaign_id"] == "giotmau-2026"


# ------------------------------------------------------------- other kinds


VISITS_CSV = (
    "Mã người hiến,Ngày hiến,Năm sinh,Giới tính,Thể tích (ml),Kết quả,Họ và tên\n"
    "D001,04/08/2023,1990,Nam,350,Đã hiến,Nguyễn Văn An\n"
    "D002,04/08/2023,1995,nữ,,hoãn,Trần Thị Bình\n"
)


def test_visits_words_are_normalised(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(VISITS_CSV, encoding="utf-8")
    frame = validate(read_table(path, "visits"), "visits")
    assert frame["sex"].tolist() == ["M", "F"]
    assert frame["outcome"].tolist() == ["donated", "deferred"]
    assert frame["volume_ml"].tolist() == [350, pd.NA]
    assert "Họ và tên" in frame  # extra columns are kept for the identifier rules to judge


@pytest.mark.parametrize("returns_dropped", [True, False])
def test_load_hands_visits_to_the_privacy_module(tmp_path, monkeypatch, returns_dropped):
    path = tmp_path / "v.csv"
    path.write_text(VISITS_CSV, encoding="utf-8")

    def protect(frame, key=None):
        out = frame.drop(columns="Họ và tên").assign(donor_id="hashed")
        return out, (["Họ và tên"] if returns_dropped else [])

    monkeypatch.setattr(pseudonyms, "protect_visits", protect)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load(path, "visits")
    assert frame["donor_id"].tolist() == ["hashed", "hashed"] and "Họ và tên" not in frame
    assert any("Họ và tên" in str(w.message) for w in caught) == returns_dropped


def test_check_of_visits_names_dropped_identifiers(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBOOK_PSEUDONYM_KEY", "00" * 32)
    path = tmp_path / "v.csv"
    path.write_text(VISITS_CSV, encoding="utf-8")
    assert check.run_check(str(path), "visits", None) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("v.csv: 2 rows, 04/08/2023–04/08/2023, donors 2")
    assert "Họ và tên" in captured.err and "Nguyễn" not in captured.out + captured.err


def test_timeseries_keeps_breakdowns_and_lists_ignored_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Ngày;Khu vực;Số lượt hiến;age_18_29;age_30_plus;share_new;Ghi chú\n"
        "01/08/2023;Hà Nội;1.200;700;500;0.45;\n"
        "01/09/2023;Hà Nội;1.100;600;500;0.40;nghỉ lễ 2/9\n",
        encoding="utf-8",
    )
    with pytest.warns(InputNote, match="2 columns ignored"):
        frame = load(path, "timeseries")
    assert list(frame.columns) == ["date", "donations", "region", "age_18_29", "age_30_plus"]
    assert str(frame["age_18_29"].dtype) == "Int64"
    # neither recognised by name nor declared: ignored, and listed for the report
    assert frame.attrs["ignored_columns"] == ["share_new", "Ghi chú"]
    assert frame["donations"].sum() == 2300


def test_published_campaigns_allow_unknown_dates():
    frame = load("data/published/campaigns.csv", "campaigns")
    row = frame.set_index("campaign_id").loc["giotmau-2022"]
    assert pd.isna(row["start_date"]) and row["target_units"] == 2300


# ------------------------------------------------------- reading and validating apart


def test_read_table_then_validate_compose(tmp_path):
    path = tmp_path / "s.xlsx"
    write_xlsx_with_title(path)
    raw = read_table(path, "sessions")
    assert raw.index.name == "row" and raw.index[0] == 4  # header on row 3 under two title rows
    assert raw.attrs["headers"]["units"] == "Số đơn vị máu"
    pd.testing.assert_frame_equal(validate(raw, "sessions"), SESSIONS)


def test_validate_an_in_memory_frame_reports_csv_rows():
    frame = pd.DataFrame({"as_of": ["2023-08-04", "2023-08-05"], "turns": [10, 10],
                          "units": [5, 11]})
    with pytest.raises(InputError) as raised:
        validate(frame, "totals", file="memo")
    assert str(raised.value) == "memo:3:units: 11 is more than turns (10), expected units ≤ turns"


def test_validate_names_missing_columns():
    with pytest.raises(InputError, match="missing column units"):
        validate(pd.DataFrame({"as_of": ["2023-08-04"], "turns": [1]}), "totals")


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("cell", "value"),
    [("26.203", 26203), ("26,203", 26203), ("26 203", 26203), ("26\u00a0203", 26203),
     ("26\u202f203", 26203), ("1.234.567", 1234567), (" 42 ", 42), ("12.0", 12), ("0", 0),
     ("-5", -5), (26203, 26203), (26203.0, 26203), ("", None), ("-", None), (None, None)],
)
def test_counts_are_read_as_written(cell, value):
    assert inputs.parse_count(cell) == (value, None)


@pytest.mark.parametrize("cell", ["12.5", "12,5", "1.234,5", 12.5, "1.2.3", "26.20", "abc", True])
def test_counts_that_are_not_whole_numbers_are_refused(cell):
    value, error = inputs.parse_count(cell)
    assert value is None and "expected a whole number" in error


@pytest.mark.parametrize(
    ("cell", "day"),
    [("4/8/2023", "2023-08-04"), ("04-08-2023", "2023-08-04"), ("04.08.2023", "2023-08-04"),
     ("2023-08-04", "2023-08-04"), ("2023-08-04T15:30", "2023-08-04"),
     ("4/8/2023 09:00", "2023-08-04"), (pd.Timestamp("2023-08-04 10:00").to_pydatetime(),
                                        "2023-08-04"),
     (pd.Timestamp("2023-08-04").date(), "2023-08-04")],
)
def test_dates_are_iso_or_day_first(cell, day):
    assert inputs.parse_date(cell) == (pd.Timestamp(day), None)


@pytest.mark.parametrize("cell", ["31/02/2023", "2023-13-01", "4/8/23", "Aug 4", 45142, "1/1/1850"])
def test_bad_dates_are_refused(cell):
    value, error = inputs.parse_date(cell)
    assert value is None and error


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize(
    ("header", "kind", "name"),
    [("Ngày", "sessions", "session_date"), ("  NGÀY ", "sessions", "session_date"),
     (unicodedata.normalize("NFD", "Số lượt"), "sessions", "turns"), ("So luot", "sessions", "turns"),
     ("Số đơn vị máu", "totals", "units"), ("Ngày hiến", "visits", "visit_date"),
     ("Thể tích (ml)", "visits", "volume_ml"), ("Nhóm máu AB", "sessions", "blood_ab"),
     ("350 ml", "sessions", "volume_350"), ("Ngày", "timeseries", "date"),
     ("Session_Date", "sessions", "session_date"), ("Giới tính", "visits", "sex"),
     ("Đơn vị", "sessions", None)],
)
def test_header_aliases(header, kind, name):
    assert schema.canonical_for(header, kind) == name


@pytest.mark.parametrize("kind", schema.KINDS)
def test_no_alias_stands_for_two_columns(kind):
    seen: dict[str, str] = {}
    for col in schema.columns(kind):
        for alias in col.aliases:
            for key in (schema.header_key(alias), schema.folded_key(alias)):
                assert seen.setdefault(key, col.name) == col.name, (kind, alias)


def test_no_warning_escapes_a_good_load(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(_good(tmp_path), "sessions")


def test_sessions_not_held_yet_may_have_empty_units(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Ngày,Điểm hiến máu,Số lượt,Số đơn vị máu\n"
                    "04/08/2023,Trụ sở,700,600\n25/08/2023,Đông Anh,,\n", encoding="utf-8")
    assert load(path, "sessions")["units"].tolist() == [600, pd.NA]


def test_data_readme_names_every_canonical_column():
    text = (Path(__file__).parents[2] / "data" / "README.md").read_text("utf-8")
    for kind in schema.KINDS:
        assert f"**{kind}**" in text
        for col in schema.columns(kind):
            assert col.name in text or col.name.startswith(("blood_", "volume_")), col.name


# ------------------------------------------------------------ big files, fast paths


def _many_sessions(n: int = 3000) -> pd.DataFrame:
    """n sessions on n distinct days at n distinct sites: every column has many distinct cells."""
    days = pd.date_range("2010-01-01", periods=n, freq="D")
    return pd.DataFrame({
        "Ngày": [f"{d:%d/%m/%Y}" for d in days],
        "Điểm hiến máu": [f"Điểm {i}" for i in range(n)],
        "Số lượt": [f"{1000 + i:,}".replace(",", ".") for i in range(n)],
        "Số đơn vị máu": [str(900 + i) for i in range(n)],
    })


def _general_only(monkeypatch) -> None:
    """The readers and parsers of small files only: csv.reader, pandas, a cell at a time."""
    monkeypatch.setattr(read, "_csv_grid_fast", lambda *args: None)
    monkeypatch.setattr(read_parquet, "_parquet_frame", lambda path: None)
    monkeypatch.setattr(parsing, "_VECTOR_MIN", 10**12)


def _outcome(path: Path, kind: str):
    try:
        frame = load(path, kind)
    except InputError as exc:
        return str(exc)
    return frame.astype({c: object for c in frame.columns if str(frame[c].dtype) == "category"})


def test_a_bad_cell_deep_in_a_big_csv_names_its_row(tmp_path):
    frame = _many_sessions()
    frame.loc[2345, "Số đơn vị máu"] = "12,5"
    frame.loc[2900, "Ngày"] = "31/02/2021"
    frame.loc[2950, "Số lượt"] = "nhiều"
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    assert isinstance(read_table(path, "sessions")["site"].dtype, pd.CategoricalDtype)  # Arrow read it
    with pytest.raises(InputError) as raised:
        load(path, "sessions")
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:2347:Số đơn vị máu: '12,5' is not a whole number, expected {schema.EXPECTED['count']}",
        f"{path}:2902:Ngày: '31/02/2021' is not a real date, expected day/month/year such as 04/08/2023",
        f"{path}:2952:Số lượt: 'nhiều' is not a number, expected {schema.EXPECTED['count']}",
    ]


def test_every_repeated_row_names_the_first_row_of_its_own_key(tmp_path):
    rows = ["session_date,site,units"]
    rows += [f"2023-08-0{1 + i % 3},Site {'AB'[i % 2]},{i}" for i in range(600)]
    path = tmp_path / "repeats.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(path, "sessions")
    problems = raised.value.problems
    assert len(problems) == 600 - 6  # six distinct (date, site) keys, each first row kept
    # data row i is file row i + 2; its key repeats every 6 rows, first met at rows 2..7
    assert all(p.message.startswith(f"repeats row {(p.row - 2) % 6 + 2} (same session_date, site)")
               for p in problems), problems[:3]
    assert [p.row for p in problems[:3]] == [8, 9, 10]


def test_big_csv_with_title_and_blank_rows_keeps_spreadsheet_row_numbers(tmp_path):
    frame = _many_sessions()
    frame.loc[2000, "Số đơn vị máu"] = "-3"
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    path = tmp_path / "titled.csv"
    # a title, an empty row, the header on row 3; a row of empty cells and a blank line in the body
    path.write_text("KẾT QUẢ HIẾN MÁU,,,\n,,,\n" + lines[0] + "".join(lines[1:500]) + ",,,\n\n"
                    + "".join(lines[500:]), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load(path, "sessions")
    assert [p.row for p in raised.value.problems] == [2000 + 3 + 1 + 2]


def test_parquet_with_typed_columns_loads_as_the_csv(tmp_path):
    n = 2000
    days = pd.date_range("2015-01-01", periods=n, freq="D")
    frame = pd.DataFrame({
        "donor_id": [f"D{i % 700:05d}" for i in range(n)],
        "visit_date": days,
        "birth_year": [1960 + i % 40 for i in range(n)],
        "sex": ["M", "F", "M", "F", "M"] * (n // 5),
        "volume_ml": pd.array([350, None, 450, 250] * (n // 4), dtype="Int64"),
        "site": [f"CA {i % 12}" for i in range(n)],
        "outcome": ["donated", "deferred", "donated", "donated"] * (n // 4),
    })
    csv_path, parquet_path = tmp_path / "visits.csv", tmp_path / "visits.parquet"
    frame.to_csv(csv_path, index=False, date_format="%d/%m/%Y")
    import pyarrow as arrow
    import pyarrow.parquet as pq

    table = arrow.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(1, "visit_date", table["visit_date"].cast(arrow.date32()))
    pq.write_table(table, parquet_path, row_group_size=300)  # several row groups, read in parallel
    raw = read_table(parquet_path, "visits")
    assert str(raw["visit_date"].dtype) == "datetime64[ns]" and str(raw["birth_year"].dtype) == "int64"
    assert isinstance(raw["donor_id"].dtype, pd.CategoricalDtype)
    from_csv, from_parquet = load(csv_path, "visits"), load(parquet_path, "visits")
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert isinstance(from_csv["donor_id"].dtype, pd.CategoricalDtype)  # pseudonyms, each held once
    assert from_csv["donor_id"].nunique() == 700 and from_csv["sex"].tolist()[:2] == ["M", "F"]
    assert list(from_csv["sex"].cat.categories) == ["F", "M"]  # few values: sorted categories
    assert validate(read_table(csv_path, "visits"), "visits")["site"].dtype == object


def test_parquet_dates_outside_the_years_are_named_as_before(tmp_path):
    import pyarrow as arrow
    import pyarrow.parquet as pq

    days = pd.to_datetime(["2023-08-04", "1850-01-01"]).date
    path = tmp_path / "old.parquet"
    pq.write_table(arrow.table({"session_date": arrow.array(days, arrow.date32()),
                                "site": ["Trụ sở", "Hoàn Kiếm"], "units": [600, 12]}), path)
    with pytest.raises(InputError, match=r":3:session_date: '1850-01-01' has the year 1850"):
        load(path, "sessions")


FAST_CASES = [
    *((p.name, p.name.split("_")[0] if p.name.split("_")[0] in schema.KINDS else "sessions")
      for p in sorted(BAD.glob("*.csv"))),
    ("big_good.csv", "sessions"), ("big_bad.csv", "sessions"), ("big_quoted.csv", "sessions"),
    ("big_spaces.csv", "sessions"), ("big_duplicate.csv", "sessions"), ("big_total.csv", "sessions"),
    ("visits_typed.parquet", "visits"), ("visits_float.parquet", "visits"),
]


def _make_fast_case(name: str, folder: Path) -> Path:
    if not name.startswith(("big_", "visits_typed", "visits_float")):
        return BAD / name
    path = folder / name
    frame = _many_sessions()
    if name == "big_bad.csv":
        frame.loc[1500, "Ngày"] = "2021-13-01"
        frame.loc[1600, "Ngày"] = "4/8/1850"
        frame.loc[1700, "Số đơn vị máu"] = "1.2.3"
        frame.loc[1800, "Số đơn vị máu"] = "99999999999999999999"
    if name == "big_spaces.csv":
        frame["Điểm hiến máu"] = [f"  Điểm\u00a0 {i} " if i % 3 else "na" for i in range(len(frame))]
    if name == "big_duplicate.csv":
        frame = pd.concat([frame, frame.iloc[[10, 2000]]], ignore_index=True)
    if name == "big_total.csv":
        frame.loc[len(frame)] = ["", "Tổng cộng", "", ""]
    if name.endswith(".parquet"):
        n = len(frame)
        visits = pd.DataFrame({"donor_id": [f" d{i % 999} " for i in range(n)],
                               "visit_date": pd.date_range("2010-01-01", periods=n, freq="D"),
                               "volume_ml": [350.0, None, 250.0] * (n // 3)})
        if name == "visits_float.parquet":
            visits.loc[2222, "volume_ml"] = 12.5
        visits.to_parquet(path)
        return path
    frame.to_csv(path, index=False, quoting=1 if name == "big_quoted.csv" else 0)
    return path


@pytest.mark.parametrize(("name", "kind"), FAST_CASES, ids=[n for n, _ in FAST_CASES])
def test_fast_readers_and_parsers_agree_with_the_general_ones(name, kind, tmp_path, monkeypatch):
    path = _make_fast_case(name, tmp_path)
    fast = _outcome(path, kind)
    _general_only(monkeypatch)
    general = _outcome(path, kind)
    if isinstance(general, str):
        assert fast == general
    else:
        pd.testing.assert_frame_equal(fast, general)


def test_plain_cells_parse_as_the_cell_parsers_do():
    import pyarrow as arrow

    dates = ["2023-08-04", "4/8/2023", "04.08.2023", "2023/8/4", "2024-02-29", "2023-02-29",
             "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "00/01/2000", "2023-13-01",
             "31/04/2023", "2023-08-04 09:30", " 2023-08-04", "٢٠٢٣-08-04", "4/8/23", "x"]
    easy, days = parsing._plain_dates(arrow.array(dates))
    assert easy.tolist() == [True] * 5 + [False, False, True, True] + [False] * 9
    for text, is_easy, day in zip(dates, easy, days, strict=True):
        if is_easy:
            assert inputs.parse_date(text) == (pd.Timestamp(day), None)
    counts = ["350", "-5", "007", "-0", "123456789012345678", "1234567890123456789", "1.000",
              "12,5", " 3", "", "-", "+4"]
    easy, values = parsing._plain_counts(arrow.array(counts))
    assert easy.tolist() == [True] * 5 + [False] * 7
    for text, is_easy, value in zip(counts, easy, values, strict=True):
        if is_easy:
            assert inputs.parse_count(text) == (value, None)
    texts = ["S0000001", "Nguyễn", "a  b", " a", "a ", "a\tb", "NA", "n/a", "None", "-", "–",
             unicodedata.normalize("NFD", "Ư1"), "x y z", "1.0"]
    texts += [f"id {i}" for i in range(600)]  # enough for Arrow to be asked
    parsed, unchanged = parsing._parse_texts(texts)
    assert parsed == [inputs.parse_text(t) for t in texts] and not unchanged
    assert parsing._parse_texts(texts[-600:]) == (texts[-600:], True)


def test_white_space_and_total_initials_are_pythons():
    everything = [chr(c) for c in range(0x110000)]
    assert parsing.PY_SPACES == "".join(c for c in everything if c.isspace())
    assert sorted(parsing.TOTAL_INITIALS) == sorted(
        c for c in everything if c.casefold() and c.casefold() in "tcg")


def test_repeated_keys_by_codes_as_by_pandas():
    days = pd.to_datetime(["2023-08-04", "2023-08-04", None, "2023-08-05", "2023-08-04",
                           "2023-08-04 10:00", "2023-08-04 10:00"], format="ISO8601")
    frame = pd.DataFrame({
        "donor_id": pd.Categorical(["a", "a", "a", "b", None, "c", "c"]),
        "visit_date": days,
    })
    expected = ~(frame.duplicated(keep="first") & frame.notna().all(axis=1))
    assert schema.not_repeated(frame, "visits").tolist() == expected.tolist()
    as_text = frame.assign(donor_id=frame["donor_id"].astype(object))
    assert schema.not_repeated(as_text, "visits").tolist() == expected.tolist()
    distinct = frame.drop_duplicates()
    assert schema.not_repeated(distinct, "visits").all()


def test_check_of_a_large_visits_file_says_what_the_loader_would(tmp_path, monkeypatch, capsys):
    """A visits file checked in DuckDB (any size counts as large here) gets the loader's summary line."""
    monkeypatch.setenv("WORKBOOK_PSEUDONYM_KEY", "00" * 32)
    path = tmp_path / "v.csv"
    pd.DataFrame({"donor_id": ["a", "b", "a", "c", "b"],
                  "visit_date": ["2023-08-04", "2022-01-31", "2024-02-29", "2023-08-04", "2023-01-01"],
                  "outcome": ["donated", "deferred", "donated", None, "donated"]}).to_csv(path, index=False)
    lines = {}
    for engine_bytes in ("1", str(2**40)):
        monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", engine_bytes)
        assert check.run_check(str(path), "visits", None) == 0
        lines[engine_bytes] = capsys.readouterr().out.strip()
    assert lines["1"] == lines[str(2**40)] == "v.csv: 5 rows, 31/01/2022–29/02/2024, donors 3"
