"""A large visits file checked by `workbook run` is handed to its notebooks (analysis/inputs/handoff.py).

The run's input check reads the file through DuckDB and keeps the compact frame in the
run's private folder; `load_visits` in the run's kernels takes that frame instead of
reading the file again, only while the file is the one checked. Outside a run, or
with a folder others can reach, nothing is kept or taken.
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import ROOT

from analysis import config, inputs
from analysis.inputs import engine
from analysis.run import runner

EXAMPLE = ROOT / "data" / "example" / "visits_simulated.csv"


@pytest.fixture
def visits(tmp_path, monkeypatch):
    """A copy of the example visits, read through DuckDB (threshold forced down)."""
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    path = tmp_path / "visits.csv"
    shutil.copy(EXAMPLE, path)
    return path


@pytest.fixture
def run_folder(tmp_path, monkeypatch):
    folder = tmp_path / "checked"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(config.CHECKED_INPUTS_ENV, str(folder))
    return folder


def no_engine(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(engine, "compact_visits", refuse)


def test_the_checked_frame_is_taken_and_the_file_not_read_again(visits, run_folder, monkeypatch):
    checked = inputs.load_visits(visits)
    assert "donor" in checked and "donor_id" not in checked  # the engine's compact frame
    assert len(list(run_folder.iterdir())) == 1
    no_engine(monkeypatch)
    taken = inputs.load_visits(visits)
    pd.testing.assert_frame_equal(taken, checked, check_exact=True)


def test_a_changed_file_or_another_mapping_is_read_again(visits, run_folder, monkeypatch):
    inputs.load_visits(visits)
    reads = []
    monkeypatch.setattr(engine, "compact_visits",
                        lambda *a, _read=engine.compact_visits, **k: reads.append(a) or _read(*a, **k))
    text = visits.read_text("utf-8")
    first = text.splitlines()[1]
    visits.write_text(text + "S9999999" + first[first.index(","):] + "\n", "utf-8")  # a new donor
    changed = inputs.load_visits(visits)
    assert len(reads) == 1 and len(changed) == len(pd.read_csv(visits))
    mapping = {name: name for name in pd.read_csv(visits, nrows=0).columns}  # the same columns, said
    inputs.load_visits(visits, mapping)
    assert len(reads) == 2


def test_outside_a_run_nothing_is_kept(visits, tmp_path, monkeypatch):
    monkeypatch.delenv(config.CHECKED_INPUTS_ENV, raising=False)
    inputs.load_visits(visits)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)  # whatever the umask: a folder others can write to
    monkeypatch.setenv(config.CHECKED_INPUTS_ENV, str(shared))
    inputs.load_visits(visits)
    assert list(shared.iterdir()) == []
    monkeypatch.setenv(config.CHECKED_INPUTS_ENV, str(tmp_path / "missing"))
    inputs.load_visits(visits)
    assert not (tmp_path / "missing").exists()


def test_a_frame_that_cannot_be_kept_or_taken_sends_the_notebook_to_the_file(visits, run_folder, monkeypatch):
    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(pd.DataFrame, "to_feather", full_disk)
        assert "donor" in inputs.load_visits(visits)  # the check itself goes on
    assert list(run_folder.iterdir()) == []  # no partial file left
    checked = inputs.load_visits(visits)
    (entry,) = run_folder.iterdir()
    entry.write_bytes(entry.read_bytes()[:100])  # a damaged frame: read from the file instead
    pd.testing.assert_frame_equal(inputs.load_visits(visits), checked, check_exact=True)


def test_a_small_file_read_by_the_loader_is_not_kept(run_folder, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", str(2**40))
    assert "donor_id" in inputs.load_visits(EXAMPLE)
    assert list(run_folder.iterdir()) == []


def test_the_run_folder_is_private_named_for_the_run_and_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(config.CHECKED_INPUTS_ENV, "before")
    out = tmp_path / "reports"
    with pytest.raises(RuntimeError), runner.checked_inputs_folder(out) as folder:
        assert folder.parent == out and folder.name.startswith(runner.TMP_PREFIX)
        assert os.environ[config.CHECKED_INPUTS_ENV] == str(folder)
        assert folder.stat().st_mode & 0o777 == 0o700
        (folder / "frame.arrow").write_bytes(b"x")
        raise RuntimeError("the run failed")
    assert not folder.exists() and not out.exists()  # a reports folder it made, empty: gone too
    assert os.environ[config.CHECKED_INPUTS_ENV] == "before"
    out.mkdir()
    (out / "kept.txt").write_text("an earlier report")
    with runner.checked_inputs_folder(out) as folder:
        runner.clean_leftovers(out, spare=folder)  # the run's own start: its folder stays
        assert folder.is_dir()
    assert [p.name for p in out.iterdir()] == ["kept.txt"]


def test_a_reports_folder_that_cannot_be_made_hands_nothing_over(tmp_path, monkeypatch):
    monkeypatch.delenv(config.CHECKED_INPUTS_ENV, raising=False)
    (tmp_path / "file").write_text("not a folder")
    with runner.checked_inputs_folder(tmp_path / "file" / "reports") as folder:
        assert folder is None and config.CHECKED_INPUTS_ENV not in os.environ


def test_without_sites_outside_a_run(visits, monkeypatch):
    """A report that counts nothing by site gets the same frame less `site`, which DuckDB left out."""
    monkeypatch.delenv(config.CHECKED_INPUTS_ENV, raising=False)
    asked, read = [], engine.compact_visits
    monkeypatch.setattr(engine, "compact_visits", lambda *a, **k: asked.append(k["sites"]) or read(*a, **k))
    full = inputs.load_visits(visits)
    lean = inputs.load_visits(visits, sites=False)
    assert asked == [True, False] and "site" in full and "site" not in lean
    pd.testing.assert_frame_equal(lean, full.drop(columns="site"), check_exact=True)


def test_within_a_run_the_file_is_read_once_with_sites(visits, run_folder, monkeypatch):
    """The run's check reads sites for every notebook; one that does not want them drops them."""
    lean = inputs.load_visits(visits, sites=False)  # donor_retention's check, say, comes first
    assert "site" not in lean
    no_engine(monkeypatch)
    full = inputs.load_visits(visits)  # then donor_pool's: taken, sites included
    assert "site" in full
    pd.testing.assert_frame_equal(lean, full.drop(columns="site"), check_exact=True)
    pd.testing.assert_frame_equal(inputs.load_visits(visits, sites=False), lean, check_exact=True)
