"""Large visits files in DuckDB (analysis/inputs/engine.py): the loader's frame and messages.

Every test forces the engine's threshold down (WORKBOOK_ENGINE_BYTES=1) so that the
small files here take the path a national registry takes, and compares it with the
loader's own path (threshold up) on the same file.
"""

from __future__ import annotations

import hmac
import os
import shutil
import subprocess
import sys
import warnings

import pandas as pd
import pytest
from conftest import ROOT

from analysis import errors
from analysis.inputs import engine, load

EXAMPLE = ROOT / "data" / "example" / "visits_simulated.csv"
BAD = ROOT / "tests" / "data" / "bad"
KEY = b"engine-test-key-0123456789abcdef"


@pytest.fixture
def engine_on(monkeypatch):
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")


def _both(path, monkeypatch, **kw):
    """load() through the engine, then through the loader; each a frame or its InputError's text."""
    got = []
    for threshold in ("1", str(2**40)):
        monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", threshold)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got.append(load(path, "visits", **kw))
        except errors.InputError as exc:
            got.append(str(exc))
    return got


def test_the_engine_gives_the_loaders_frame(engine_on, monkeypatch):
    frame = engine.read_visits(EXAMPLE)
    assert frame is not None  # taken by the engine, not handed back
    via_engine, via_loader = _both(EXAMPLE, monkeypatch)
    pd.testing.assert_frame_equal(via_engine, via_loader)
    pd.testing.assert_frame_equal(frame, via_loader)
    assert len(frame) == 25298 and (frame["donor_id"].cat.categories.str.len() == 16).all()


def test_pseudonyms_are_the_hmac_of_each_id(engine_on, tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text("donor_id,visit_date,outcome\nA-1,2020-01-02,donated\nB 2,2020-02-03,donated\n"
                    "A-1,2020-06-01,deferred\n", encoding="utf-8")
    frame = engine.read_visits(path, key=KEY)
    expected = [hmac.new(KEY, i.encode(), "sha256").hexdigest()[:16] for i in ("A-1", "B 2", "A-1")]
    assert frame["donor_id"].astype(str).tolist() == expected
    assert list(frame["donor_id"].cat.categories) == expected[:2]  # in order of first visit
    assert not {"A-1", "B 2"} & set(frame.astype(str).to_numpy().ravel())


def test_parquet_with_typed_columns(engine_on, tmp_path, monkeypatch):
    raw = pd.read_csv(EXAMPLE, dtype={"donor_id": str})
    raw["visit_date"] = pd.to_datetime(raw["visit_date"])
    raw["birth_year"] = raw["birth_year"].astype("Int64")
    path = tmp_path / "visits.parquet"
    raw.to_parquet(path, index=False)
    assert engine.read_visits(path) is not None
    via_engine, via_loader = _both(path, monkeypatch)
    pd.testing.assert_frame_equal(via_engine, via_loader)


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("visits_*.csv")))
def test_a_bad_file_gets_the_same_message_on_both_paths(name, monkeypatch):
    via_engine, via_loader = _both(BAD / name, monkeypatch)
    assert isinstance(via_loader, str) and via_engine == via_loader


def _large_with(tmp_path, row: int, line: str) -> tuple:
    """The example file with one line replaced (row as a spreadsheet numbers it)."""
    lines = EXAMPLE.read_text("utf-8").splitlines()
    lines[row - 1] = line
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, where", [
    ("S0000256,2013-02-30,1991,F,350,CATP Hà Nội,donated", "20000:visit_date:"),  # no such day
    ("S0000256,2013-01-03,1991,F,350,CATP Hà Nội,donated", "20000:donor_id: repeats row 2"),
    ("S0000256,2015-01-03,2031,F,350,CATP Hà Nội,donated", "20000:birth_year:"),
    ("S0000256,2015-01-03,1991,X,350,CATP Hà Nội,donated", "20000:sex:"),
    (",2015-01-03,1991,F,350,CATP Hà Nội,donated", "20000:donor_id:"),
    ("Total,2015-01-03,1991,F,350,CATP Hà Nội,donated", "20000:donor_id:"),
    ("S0000256,2015-01-03,1991,F,-350,CATP Hà Nội,donated", "20000:volume_ml:"),
])
def test_a_bad_row_in_a_large_file(tmp_path, monkeypatch, line, where):
    path = _large_with(tmp_path, 20000, line)
    via_engine, via_loader = _both(path, monkeypatch)
    assert isinstance(via_loader, str) and via_engine == via_loader
    assert f"visits.csv:{where}" in via_engine


def test_what_the_engine_does_not_read_goes_to_the_loader(engine_on, tmp_path, monkeypatch):
    """A day-first date, a count written with a thousands dot, a column besides visits:
    the loader's frame, the same either way."""
    day_first = _large_with(tmp_path, 3000, "S0000256,3/1/2015,1991,F,350,CATP Hà Nội,donated")
    assert engine.read_visits(day_first) is None
    via_engine, via_loader = _both(day_first, monkeypatch)
    pd.testing.assert_frame_equal(via_engine, via_loader)
    named = tmp_path / "named.csv"
    named.write_text("donor_id,visit_date,Họ tên\nA1,2020-01-02,Nguyễn Văn A\n", encoding="utf-8")
    assert engine.read_visits(named) is None  # an identifier column: the loader drops it
    with pytest.warns(errors.InputNote, match="Họ tên"):
        frame = load(named, "visits")
    assert list(frame.columns) == ["donor_id", "visit_date"]


def test_small_files_stay_with_the_loader(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBOOK_ENGINE_BYTES", raising=False)
    copy = tmp_path / "visits.csv"
    shutil.copy(EXAMPLE, copy)
    assert not engine.wanted(copy)  # 1.3 MB, under the default threshold
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    assert engine.wanted(copy) and not engine.wanted(tmp_path / "visits.xlsx")


ENGINE_PROBE = """
import sys
from analysis.inputs import load_visits
from analysis.reports.donor_retention import compute
data = compute.summarise(load_visits(sys.argv[1]))
print(data.presentations, "pandera" in sys.modules)
"""


def test_a_large_file_read_by_the_engine_imports_no_pandera(tmp_path):
    """pandera (about 0.13 s to import) is for the loader's rules; DuckDB checks a large file itself."""
    env = {**os.environ, "WORKBOOK_ENGINE_BYTES": "1"}
    done = subprocess.run([sys.executable, "-c", ENGINE_PROBE, str(EXAMPLE)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["25298", "False"]
    env["WORKBOOK_ENGINE_BYTES"] = str(2**40)  # the loader's path does use it
    done = subprocess.run([sys.executable, "-c", ENGINE_PROBE, str(EXAMPLE)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["25298", "True"]
