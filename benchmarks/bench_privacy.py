"""Pseudonyms and identifier dropping on ten million visits.

    python benchmarks/bench_privacy.py [--rows 10000000] [--donors 1000000]

Input as the loader hands it over: donor_id as Python strings (object dtype),
12-digit ID-card-like numbers, about ten visits per donor. Measured:
  pseudonymise      donor_id (object dtype, then string[pyarrow])
  protect_visits    the whole step on a visits frame that also carries a name,
                    a phone and a full birth date column (dropped; birth_year derived)
Target: pseudonymise under 15 s for 10M rows / 1M donors on a 2-core machine.
The key is a random one set in this process only: no key file is created.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

import numpy as np
import pandas as pd

from analysis.inputs import pseudonyms

TARGET_SECONDS = 15.0


def _visits(rows: int, donors: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.array([f"{1_090_000_000 + i:012d}" for i in range(donors)], dtype=object)
    # every donor at least once, the other visits at random
    codes = rng.permutation(np.concatenate([np.arange(donors), rng.integers(0, donors, rows - donors)]))
    days = rng.integers(0, 4000, rows)
    return pd.DataFrame({
        "donor_id": ids[codes],
        "visit_date": pd.Timestamp("2013-01-01") + pd.to_timedelta(days, unit="D"),
        "sex": np.where(codes % 5 == 0, "F", "M").astype(object),
        "site": np.array(["CA Ba Đình", "Công an quận Hoàn Kiếm", "CATP Hà Nội"],
                         dtype=object)[codes % 3],
        "Họ và tên": np.array(["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu"],
                              dtype=object)[codes % 3],
        "SĐT": np.array(["0912 345 678", "+84 987 654 321"], dtype=object)[codes % 2],
        "Ngày sinh": np.array([f"{1 + c % 28:02d}/{1 + c % 12:02d}/{1970 + c % 30}"
                               for c in range(1000)], dtype=object)[codes % 1000],
    })


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:6.2f} s", flush=True)
    return result, seconds


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--donors", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    key = secrets.token_bytes(pseudonyms.KEY_BYTES)
    os.environ[pseudonyms.KEY_ENV] = key.hex()  # this process only

    frame, _ = _timed(f"make {args.rows:,} visits of {args.donors:,} donors",
                      lambda: _visits(args.rows, args.donors))
    out, t_object = _timed("pseudonymise (object dtype)",
                           lambda: pseudonyms.pseudonymise(frame["donor_id"], key))
    assert out.nunique() == args.donors and out.notna().all()
    arrow_ids = frame["donor_id"].astype("string[pyarrow]")
    _, t_arrow = _timed("pseudonymise (string[pyarrow])",
                        lambda: pseudonyms.pseudonymise(arrow_ids, key))
    (protected, dropped), t_protect = _timed("protect_visits (drop 3 columns + pseudonymise)",
                                             lambda: pseudonyms.protect_visits(frame))
    assert dropped == ["Họ và tên", "SĐT", "Ngày sinh"] and "birth_year" in protected
    ok = t_object <= TARGET_SECONDS
    print(f"target: pseudonymise under {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return {"pseudonymise_object_s": t_object, "pseudonymise_arrow_s": t_arrow,
            "protect_visits_s": t_protect, "target_met": ok}


if __name__ == "__main__":
    # no sys.exit: run_all.py runs every bench_*.py in one process, one after the other
    main(sys.argv[1:])
