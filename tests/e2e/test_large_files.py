"""A visits file large enough for DuckDB to read it in parallel keeps the file's order.

The engine numbers a CSV's rows by the checked table's rowid (its insertion order,
which DuckDB keeps) and a Parquet file's by `file_row_number`. Donors are numbered in
order of first visit and take their sex and birth year from their first row, so the
order matters: here the same visits, in one random order, as a CSV of about 45 MB
(more than one of DuckDB's 32 MiB CSV buffers, so read by both threads) and as
Parquet, give the same compact frame, and it agrees with pandas on the file's order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.inputs import engine

pytestmark = pytest.mark.slow

VISITS, DONORS = 1_500_000, 300_000


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rng = np.random.default_rng(16)
    k = rng.permutation(VISITS)  # each k a (donor, visit) pair: no donor twice on one day
    donor, nth = k % DONORS, k // DONORS
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(nth * 90 + donor % 60, unit="D")
    raw = pd.DataFrame({
        "donor_id": [f"D{d:07d}" for d in donor],
        "visit_date": days.strftime("%Y-%m-%d"),
        "birth_year": rng.integers(1965, 2000, VISITS),
        "sex": rng.choice(["F", "M"], VISITS),  # row by row: the donor's first row decides
        "outcome": rng.choice(["donated", "deferred"], VISITS, p=[0.9, 0.1]),
    })
    folder = tmp_path_factory.mktemp("large")
    raw.to_csv(folder / "visits.csv", index=False)
    raw.to_parquet(folder / "visits.parquet", index=False)
    return folder, raw


def test_a_csv_read_by_both_threads_numbers_donors_as_its_parquet_twin(files, monkeypatch):
    folder, raw = files
    assert (folder / "visits.csv").stat().st_size > 40 * 2**20
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    from_csv = engine.compact_visits(folder / "visits.csv")
    from_parquet = engine.compact_visits(folder / "visits.parquet")
    assert from_csv is not None and from_parquet is not None
    pd.testing.assert_frame_equal(from_csv, from_parquet)

    # independently: donors numbered by first appearance in the file, sex from that row
    codes, _ = pd.factorize(raw["donor_id"])
    first = np.unique(codes, return_index=True)[1]
    per_donor = from_csv.drop_duplicates("donor").set_index("donor")
    assert per_donor.index.tolist() == list(range(DONORS))
    assert per_donor["sex"].astype(str).tolist() == raw["sex"].to_numpy()[first].tolist()
    assert per_donor["birth_year"].tolist() == raw["birth_year"].to_numpy()[first].astype(float).tolist()
    assert len(from_csv) == VISITS
