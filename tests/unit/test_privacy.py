"""Direct identifiers dropped, keyed pseudonyms, the key's home, small-cell suppression."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import stat
import unicodedata
import warnings

import pandas as pd
import pytest

from analysis import config, errors
from analysis.errors import InputNote
from analysis.inputs import identifiers, pseudonyms
from analysis.model import disclosure

KEY = bytes(range(32))
NAMES = [
    "Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Giang",
    "Vũ Đức Hải", "Đặng Thu Hà", "Bùi Văn Khánh", "Đỗ Thị Lan", "Ngô Quang Minh",
    "Dương Thị Ngọc", "Lý Văn Phúc", "NGUYỄN THỊ HOA", "Phan Thanh Sơn", "Võ Thị Tuyết",
]
SITES = ["Công an quận Hoàn Kiếm", "CA Ba Đình", "CATP Hà Nội", "Bệnh viện 19-8",
         "CA Hoàng Mai", "Công an huyện Đông Anh"]
DISTRICTS = ["Hoàng Mai", "Hà Đông", "Ba Đình", "Đống Đa", "Cầu Giấy", "Tây Hồ", "Long Biên",
             "Thanh Xuân", "Hai Bà Trưng", "Hoàn Kiếm", "Nam Từ Liêm", "Bắc Từ Liêm"]


@pytest.fixture(autouse=True)
def isolated_key(monkeypatch, tmp_path):
    """Every test runs with a home of its own and no key settings from outside."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(pseudonyms.KEY_ENV, raising=False)
    monkeypatch.delenv(pseudonyms.KEY_FILE_ENV, raising=False)


def visits(n: int = 30, **extra) -> pd.DataFrame:
    """A canonical visits frame whose donor_id is a 12-digit CCCD-like number."""
    frame = pd.DataFrame({
        "donor_id": [f"0010900{i % 10:05d}" for i in range(n)],
        "visit_date": pd.date_range("2023-08-04", periods=n, freq="D"),
        "birth_year": pd.array([1980 + i % 20 for i in range(n)], dtype="Int64"),
        "sex": ["M", "F"] * (n // 2) + ["M"] * (n % 2),
        "volume_ml": pd.array([350] * n, dtype="Int64"),
        "site": [SITES[i % len(SITES)] for i in range(n)],
        "outcome": ["donated", "deferred", "donated"] * (n // 3) + ["donated"] * (n % 3),
    })
    for name, values in extra.items():
        frame[name] = values
    return frame


def cycle(values: list, n: int = 30) -> list:
    return [values[i % len(values)] for i in range(n)]


# ------------------------------------------------------------------- headers


@pytest.mark.parametrize(("header", "kind"), [
    ("Họ tên", "name"), ("Họ và tên", "name"), ("HỌ VÀ TÊN", "name"), ("Ho va ten", "name"),
    ("ho_ten", "name"), ("Tên", "name"), ("Tên người hiến máu", "name"), ("full_name", "name"),
    ("Name", "name"), ("First Name", "name"),
    ("Số điện thoại", "phone"), ("SĐT", "phone"), ("SDT", "phone"), ("Điện thoại", "phone"),
    ("dien thoai", "phone"), ("SĐT liên hệ", "phone"), ("phone", "phone"),
    ("Mobile", "phone"), ("phone_number", "phone"),
    ("Email", "email"), ("E-mail", "email"), ("Thư điện tử", "email"),
    ("CCCD", "id_number"), ("CMND", "id_number"), ("Số CCCD", "id_number"),
    ("Căn cước", "id_number"), ("Căn cước công dân", "id_number"), ("Số CMND/CCCD", "id_number"),
    ("So CCCD", "id_number"), ("id_number", "id_number"), ("national_id", "id_number"),
    ("Passport", "id_number"), ("Hộ chiếu", "id_number"),
    ("Địa chỉ", "address"), ("Dia chi", "address"), ("Nơi ở", "address"),
    ("Địa chỉ thường trú", "address"), ("address", "address"),
    ("Ngày sinh", "birth_date"), ("NGAY SINH", "birth_date"), ("dob", "birth_date"),
    ("date_of_birth", "birth_date"), ("DOB (dd/mm/yyyy)", "birth_date"),
    ("Ngày tháng năm sinh", "birth_date"),
])
def test_identifier_headers(header, kind):
    assert identifiers.identifier_kind(header) == kind
    assert identifiers.identifier_kind(unicodedata.normalize("NFD", header)) == kind
    assert identifiers.identifier_kind(f"  {header.upper()} ") == kind


@pytest.mark.parametrize("header", [
    *identifiers.CANONICAL, "Mã người hiến", "Ngày hiến", "Năm sinh", "Giới tính", "Kết quả",
    "Điểm hiến máu", "Địa điểm", "Tên điểm", "Tên đơn vị", "Đơn vị", "Site name", "Nhóm máu",
    "Cân nặng", "Dân tộc", "Ghi chú", "Lần hiến", "Đợt", "campaign_id",
])
def test_headers_that_are_no_identifiers(header):
    assert identifiers.identifier_kind(header) is None


def test_headers_dropped_in_vietnamese_with_and_without_accents():
    frame = visits(**{"Họ tên": cycle(["x"]), "So dien thoai": cycle(["y"]),
                      unicodedata.normalize("NFD", "Địa chỉ"): cycle(["z"]), "CCCD": cycle(["w"])})
    out, dropped = identifiers.drop_identifiers(frame)
    assert sorted(dropped) == sorted(["Họ tên", "So dien thoai",
                                      unicodedata.normalize("NFD", "Địa chỉ"), "CCCD"])
    assert list(out.columns) == list(identifiers.CANONICAL)
    assert list(frame.columns)[-1] == "CCCD"  # the input is left as it was


# ------------------------------------------------------------------- content


@pytest.mark.parametrize(("values", "kind"), [
    (["001090012345", "036185000123", "079201004567"], "id_number"),
    (["001 090 012 345", "036 185 000 123"], "id_number"),
    (["012345678", "171234567"], "id_number"),
    (["0912345678", "0987 654 321", "+84 912 345 678", "091.234.5678", "(024) 3825 1234",
      "84912345678", "+84-24-3825-1234"], "phone"),
    (["an.nguyen@gmail.com", "tran.bich@ca.hanoi.gov.vn", "x_y@yahoo.com.vn"], "email"),
    (NAMES, "name"),
])
def test_identifiers_found_by_content(values, kind):
    frame = visits(**{"Cột 9": cycle(values)})
    assert identifiers.find_identifiers(frame) == {"Cột 9": kind}
    out, dropped = identifiers.drop_identifiers(frame)
    assert dropped == ["Cột 9"] and "Cột 9" not in out


def test_numbers_stored_as_numbers_are_found():
    # Excel turns 0912345678 into 912345678 and 001090012345 into 1090012345
    frame = visits(**{"Liên hệ": cycle([912345678, 987654321]),
                      "Giấy tờ": cycle([1090012345.0, 36185000123.0, float("nan")])})
    assert identifiers.find_identifiers(frame) == {"Liên hệ": "id_number", "Giấy tờ": "id_number"}


def test_categorical_and_string_columns_are_read_too():
    frame = visits(**{"Cột 9": pd.Categorical(cycle(NAMES)),
                      "Cột 10": pd.array(cycle(["0912345678"]), dtype="string[pyarrow]")})
    assert identifiers.find_identifiers(frame) == {"Cột 9": "name", "Cột 10": "phone"}


def test_most_values_must_look_like_identifiers():
    notes = cycle(["khỏe", "gọi 0912345678 nếu thiếu máu", "", "tái hiến", "ổn", None])
    frame = visits(**{"Ghi chú": notes, "Cột 9": cycle(["0912345678", "không có", "-", "?"])})
    assert identifiers.find_identifiers(frame) == {}


def test_no_false_positives_on_canonical_and_place_columns():
    frame = visits(**{
        "Đơn vị": cycle(SITES), "Quận": cycle(DISTRICTS), "Nhóm máu": cycle(["A", "B", "AB", "O"]),
        "Lần hiến": cycle([1, 2, 3, 10, 35]), "Đường": cycle(["Trần Hưng Đạo"] * 3 + SITES),
    })
    assert identifiers.find_identifiers(frame) == {}
    # donor_id holds ID-card numbers here: it is pseudonymised, never dropped
    assert identifiers.drop_identifiers(frame)[1] == []


def test_raw_headers_of_canonical_columns_are_protected():
    frame = pd.DataFrame({"Mã người hiến": cycle(["001090012345", "036185000123"]),
                          "Ngày hiến": cycle(["04/08/2023"]), "Điểm hiến máu": cycle(SITES)})
    assert identifiers.find_identifiers(frame) == {}


def test_names_need_many_distinct_capitalised_values():
    assert identifiers._looks_like_name("Nguyễn Văn An")
    assert identifiers._looks_like_name("NGUYỄN THỊ HOA")
    for text in ["Công an quận Hoàn Kiếm", "CA Ba Đình", "Bệnh viện 19-8", "nguyễn văn an",
                 "Nguyễn", "Đống Đa", "donated"]:
        assert not identifiers._looks_like_name(text)
    few = visits(**{"Cột 9": cycle(NAMES[:5])})  # five people or five places: not dropped
    assert identifiers.find_identifiers(few) == {}


# --------------------------------------------------------------- birth dates


def test_birth_date_becomes_birth_year():
    frame = visits(4).drop(columns="birth_year")
    frame.insert(2, "Ngày sinh", ["04/08/1990", "1985-12-31", "", "31/02/1990"])
    out, dropped = identifiers.drop_identifiers(frame)
    assert dropped == ["Ngày sinh"]
    assert list(out.columns[:3]) == ["donor_id", "visit_date", "birth_year"]
    assert out["birth_year"].dtype == "Int64"
    assert out["birth_year"].tolist() == [1990, 1985, pd.NA, pd.NA]
    # after the canonical columns before it, even when the date of birth came last
    late = visits(2).drop(columns="birth_year").assign(dob=["1990-01-01", "1991-01-01"])
    assert identifiers.drop_identifiers(late)[0].columns[2] == "birth_year"
    alone = pd.DataFrame({"a": [1], "Ngày sinh": ["01/01/1990"], "b": [2]})
    assert list(identifiers.drop_identifiers(alone)[0].columns) == ["a", "birth_year", "b"]


def test_birth_year_kept_and_gaps_filled_from_birth_date():
    frame = visits(3)
    frame["birth_year"] = pd.array([1970, None, None], dtype="Int64")
    frame["dob"] = pd.to_datetime(["1960-01-01", "1991-05-06", None])
    out, dropped = identifiers.drop_identifiers(frame)
    assert dropped == ["dob"]
    assert out["birth_year"].tolist() == [1970, 1991, pd.NA]


# ---------------------------------------------------------------- pseudonyms


def reference(value: str, key: bytes = KEY) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def test_pseudonyms_are_hmac_sha256():
    ids = pd.Series(["001090012345", "S0000001", "Mã-Ư"], index=[5, 6, 7], name="donor_id")
    out = pseudonyms.pseudonymise(ids, KEY)
    assert out.tolist() == [reference(v) for v in ids]
    assert out.index.tolist() == [5, 6, 7] and out.name == "donor_id"
    assert isinstance(out.dtype, pd.StringDtype)
    long_key = b"k" * 100  # longer than SHA-256's block: hashed first, as RFC 2104 says
    assert pseudonyms.pseudonymise(ids, long_key).iloc[0] == reference(ids.iloc[0], long_key)


def test_pseudonyms_stable_per_key_and_hide_the_id():
    ids = pd.Series(["001090012345", "036185000123", "001090012345", "S0000001"])
    first, again = pseudonyms.pseudonymise(ids, KEY), pseudonyms.pseudonymise(ids, KEY)
    other = pseudonyms.pseudonymise(ids, b"another key of thirty-two bytes!")
    assert first.tolist() == again.tolist()
    assert first.iloc[0] == first.iloc[2] and first.nunique() == 3
    assert not (first == other).any()
    for original, pseudonym in zip(ids, first, strict=True):
        assert len(pseudonym) == 16 and original not in pseudonym and pseudonym != original


def test_the_same_id_written_differently_has_one_pseudonym():
    ids = pd.Series([1234, 1234.0, "1234", " 1234 ", None, "", unicodedata.normalize("NFD", "Ư1")],
                    dtype=object)
    out = pseudonyms.pseudonymise(ids, KEY)
    assert out.iloc[:4].nunique() == 1 and out.iloc[0] == reference("1234")
    assert out.iloc[4:6].isna().all()
    assert out.iloc[6] == reference(unicodedata.normalize("NFC", "Ư1"))
    assert pseudonyms.pseudonymise(pd.Series([None, None], dtype=object), KEY).isna().all()


def test_pseudonymise_refuses_an_empty_key():
    with pytest.raises(ValueError, match="key"):
        pseudonyms.pseudonymise(pd.Series(["a"]), b"")


# ------------------------------------------------------------------- the key


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv(pseudonyms.KEY_ENV, KEY.hex())
    assert pseudonyms.load_key() == KEY
    monkeypatch.setenv(pseudonyms.KEY_ENV, "một câu dài làm khóa bí mật")
    assert pseudonyms.load_key() == "một câu dài làm khóa bí mật".encode()
    monkeypatch.setenv(pseudonyms.KEY_ENV, "  ")
    with pytest.raises(errors.PseudonymKeyError, match="empty"):
        pseudonyms.load_key()


def test_key_file_created_once_with_mode_0600(monkeypatch, tmp_path):
    path = tmp_path / "secrets" / "pseudonym.key"
    monkeypatch.setenv(pseudonyms.KEY_FILE_ENV, str(path))
    with pytest.warns(InputNote, match=f"new pseudonym key file at {re.escape(str(path))}: keep it"):
        key = pseudonyms.load_key()
    assert len(key) == 32 and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second time, no notice
        assert pseudonyms.load_key() == key
    # the file's contents work as the environment variable
    monkeypatch.setenv(pseudonyms.KEY_ENV, path.read_text())
    assert pseudonyms.load_key() == key


def test_default_key_file_is_in_the_home_config(tmp_path):
    with pytest.warns(InputNote, match="new pseudonym key file"):
        key = pseudonyms.load_key()
    path = tmp_path / "home" / ".config" / "giotmau-workbook" / "pseudonym.key"
    assert pseudonyms.key_file() == path and path.is_file() and len(key) == 32
    assert not path.is_relative_to(config.ROOT)


@pytest.mark.parametrize("where", ["repo", "reports", "repo_reports", "link_into_repo"])
def test_key_file_in_the_repository_or_reports_is_refused(monkeypatch, tmp_path, where):
    target = config.ROOT / "pseudonym-test-never-created.key"
    path = {
        "repo": target,
        "reports": tmp_path / "reports" / "pseudonym.key",
        "repo_reports": config.REPORTS / "pseudonym-test-never-created.key",
        "link_into_repo": tmp_path / "link.key",
    }[where]
    if where == "link_into_repo":
        os.symlink(target, path)  # dangling: resolves into the repository
    monkeypatch.setenv(pseudonyms.KEY_FILE_ENV, str(path))
    with pytest.raises(errors.PseudonymKeyError, match="inside"):
        pseudonyms.load_key()
    assert not target.exists() and not (tmp_path / "reports").exists()


def test_key_file_that_cannot_be_made_is_a_key_error(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv(pseudonyms.KEY_FILE_ENV, str(tmp_path / "a-file" / "pseudonym.key"))
    with pytest.raises(errors.PseudonymKeyError, match=pseudonyms.KEY_ENV):
        pseudonyms.load_key()


def test_readable_key_file_warns_and_empty_one_is_refused(monkeypatch, tmp_path):
    path = tmp_path / "k.key"
    path.write_text(KEY.hex())
    path.chmod(0o644)
    monkeypatch.setenv(pseudonyms.KEY_FILE_ENV, str(path))
    with pytest.warns(UserWarning, match="chmod 600"):
        assert pseudonyms.load_key() == KEY
    path.write_text("")
    path.chmod(0o600)
    with pytest.raises(errors.PseudonymKeyError, match="empty"):
        pseudonyms.load_key()


# ------------------------------------------------------------------- visits


def test_protect_visits(monkeypatch, caplog):
    monkeypatch.setenv(pseudonyms.KEY_ENV, KEY.hex())
    frame = visits(**{"Họ và tên": cycle(NAMES), "Cột 9": cycle(["0912 345 678"]),
                      "Ngày sinh": cycle(["04/08/1990"])}).drop(columns="birth_year")
    with caplog.at_level(logging.INFO, logger="analysis.inputs.identifiers"):
        out, dropped = pseudonyms.protect_visits(frame)
    assert dropped == ["Họ và tên", "Cột 9", "Ngày sinh"]
    assert out["donor_id"].tolist() == [reference(v) for v in frame["donor_id"]]
    assert out["birth_year"].eq(1990).all()
    told = caplog.text + identifiers.dropped_message(dropped)
    assert "Họ và tên" in told
    for secret in [*NAMES, "0912 345 678", "04/08/1990", *frame["donor_id"]]:
        assert secret not in told
        assert not out.astype(str).isin([secret]).any().any()


# -------------------------------------------------------------- small cells


def test_suppress_small_series_and_frame():
    counts = pd.Series([0, 3, 5, 26203], index=list("abcd"))
    out = disclosure.suppress_small(counts, 5)
    assert out.dtype == "Int64" and out.tolist() == [pd.NA, pd.NA, 5, 26203]
    assert counts.tolist() == [0, 3, 5, 26203]  # a copy

    crosstab = pd.DataFrame({1: [120, 4], 2: [7, None]}, index=[2019, 2020])
    hidden = disclosure.suppress_small(crosstab, 5)
    assert hidden[1].tolist() == [120, pd.NA] and hidden[2].isna().tolist() == [False, True]


def test_suppress_small_hides_what_gives_a_cell_away():
    table = pd.DataFrame({"cohort_year": [2019, 2019], "years_after": [1, 2],
                          "cohort_donors": [40, 40], "returned": [12, 3],
                          "retention_rate": [0.3, 0.075]})
    out = disclosure.suppress_small(table, 5, {"returned": ["retention_rate"]})
    assert out["returned"].tolist() == [12, pd.NA]
    assert out["retention_rate"].tolist() == [0.3, pd.NA]
    assert out["years_after"].tolist() == [1, 2]  # labels are never counts
    assert disclosure.suppress_small(table, 5, ["returned"])["retention_rate"].notna().all()
    with pytest.raises(KeyError):
        disclosure.suppress_small(table, 5, ["donors"])
    with pytest.raises(ValueError):
        disclosure.suppress_small(table, -1, ["returned"])


def test_pseudonym_categorical_holds_the_same_pseudonyms():
    ids = pd.Series([" 1234 ", "S0000002", None, 1234, "S0000002", "", "Ư1"], dtype=object,
                    index=range(10, 17), name="donor_id")
    plain = pseudonyms.pseudonymise(ids, KEY)
    compact = pseudonyms.pseudonym_categorical(ids, KEY)
    assert isinstance(compact.dtype, pd.CategoricalDtype)
    assert compact.index.equals(ids.index) and compact.name == "donor_id"
    assert compact.astype(object).where(compact.notna(), None).tolist() == \
        plain.astype(object).where(plain.notna(), None).tolist()
    # each pseudonym once, in order of first appearance
    assert list(compact.cat.categories) == [reference("1234"), reference("S0000002"),
                                            reference("Ư1")]


def test_many_ids_are_hashed_as_the_rfc_says():
    tidy = [f"S{i:07d}" for i in range(800)]  # enough for Arrow to sort out the tidy ones
    untidy = [" S0000001", "S0000002 ", unicodedata.normalize("NFD", "Ư1"), "a\tb", "", 1234.0]
    ids = pd.Series(tidy + untidy, dtype=object)
    out = pseudonyms.pseudonymise(ids, KEY)
    expected = [reference(v) for v in tidy] + [reference("S0000001"), reference("S0000002"),
                                               reference(unicodedata.normalize("NFC", "Ư1")),
                                               reference("a\tb"), None, reference("1234")]
    assert out.astype(object).where(out.notna(), None).tolist() == expected
    as_categories = pseudonyms.pseudonym_categorical(ids.astype("category"), KEY)
    assert as_categories.astype(object).where(as_categories.notna(), None).tolist() == expected


def test_protect_visits_keeps_donor_id_compact(monkeypatch):
    monkeypatch.setenv(pseudonyms.KEY_ENV, KEY.hex())
    out, _ = pseudonyms.protect_visits(visits())
    assert isinstance(out["donor_id"].dtype, pd.CategoricalDtype)
    assert out["donor_id"].nunique() == 10


@pytest.mark.parametrize("engine_bytes", ["1", str(2**40)], ids=["duckdb", "loader"])
def test_a_loaded_visits_file_holds_only_keyed_pseudonyms(monkeypatch, tmp_path, engine_bytes):
    """Whichever way the file is read (DuckDB above WORKBOOK_ENGINE_BYTES, else the loader)."""
    from analysis.inputs import load

    monkeypatch.setenv(pseudonyms.KEY_ENV, KEY.hex())
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", engine_bytes)
    ids = [f"0{790000000000 + 7919 * i}" for i in range(40)]  # CCCD-like ids, a visit or two each
    rows = [f"{d},2021-{1 + i % 12:02d}-{1 + i % 28:02d},F,donated" for i, d in enumerate(ids + ids[:15])]
    path = tmp_path / "visits.csv"
    path.write_text("donor_id,visit_date,sex,outcome\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = load(path, "visits")
    assert frame["donor_id"].astype(str).tolist() == [reference(d) for d in ids + ids[:15]]
    assert not frame.astype(str).isin(ids).any().any()


def test_the_cli_prints_a_note_as_one_line(capsys, monkeypatch):
    """A user notice raised anywhere under `workbook` (e.g. in the preflight) reads `note: ...`."""
    from analysis.run import cli

    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # restored after the test
    cli._notes_as_lines()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("created a new pseudonym key file at /x: keep it", InputNote, stacklevel=1)
    assert capsys.readouterr().err == "note: created a new pseudonym key file at /x: keep it\n"
