"""Simulated donor visits (one row a visit), for the donor_retention notebook's default.

No real donor record is published, so the default input is made here with a
fixed seed. It is calibrated to what the domain brief says: many donors give
once, a committed few give 10 to 35 times, whole-blood donations are at least
12 weeks apart (a few gaps below that stand for data errors), some visits end
in deferral (more often for women and first-timers), the force is mostly men
aged 20–45, bags are 250, 350 or 450 ml (most 350 ml or more) and donors give
at one of twelve police sites.

    python -m analysis.simulate.visits            # rewrites data/example/visits_simulated.csv
    python -m analysis.simulate.visits --donors 1200000 --out /tmp/visits.parquet

Donor ids are synthetic ("S0000001"): nothing here refers to a person.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config

DEFAULT_FILE = config.EXAMPLE / "visits_simulated.csv"
SEED = 20230804  # launch day of the 2023 drive
START, END = "2013-01-01", "2024-12-31"

SITES = (
    "CATP Hà Nội", "CA Ba Đình", "CA Hoàn Kiếm", "CA Đống Đa", "CA Cầu Giấy", "CA Hai Bà Trưng",
    "CA Hoàng Mai", "CA Long Biên", "CA Hà Đông", "CA Thanh Xuân", "CA Tây Hồ", "Bệnh viện 19-8",
)
# donor types: share, chance to come back after each donation, mean days beyond the 84-day minimum
TYPES = {
    "once": (0.40, 0.0, 0.0),
    "occasional": (0.43, 0.85, 250.0),  # about once a year, at the yearly drive
    "committed": (0.17, 0.985, 45.0),  # the 10-to-35-times givers
}
MIN_GAP = 84  # days, whole blood (Thông tư 26/2013/TT-BYT)
MAX_DONATIONS = 35
ERROR_RATE = 0.006  # share of returns recorded sooner than the minimum (data errors)
DEFERRAL = {"M": 0.12, "F": 0.20}
FIRST_VISIT_DEFERRAL_EXTRA = 0.06
RETRY_AFTER_DEFERRAL = 0.75  # a deferred donor tries again within a few months


def _first_days(rng: np.random.Generator, n: int, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Day of each donor's first visit: more recruits in later years and in the summer drives."""
    years = np.arange(start.year, end.year + 1)
    weights = np.linspace(1.0, 1.6, len(years))
    year = rng.choice(years, size=n, p=weights / weights.sum())
    # half the recruits come in the drive months (July to October), the rest across the year
    in_drive = rng.random(n) < 0.5
    doy = np.where(in_drive, rng.integers(182, 304, n), rng.integers(0, 365, n))
    base = (pd.to_datetime(pd.Series(year.astype(str)), format="%Y").to_numpy()
            .astype("datetime64[D]").astype(np.int64))
    day = base + doy
    lo = start.to_datetime64().astype("datetime64[D]").astype(np.int64)
    hi = end.to_datetime64().astype("datetime64[D]").astype(np.int64)
    return np.clip(day, lo, hi)


N_DONORS = 6500  # the police donors' club had 6,653 members in 2021 (facts.csv)


def simulate_visits(
    n_donors: int = N_DONORS, seed: int = SEED, start: str = START, end: str = END
) -> pd.DataFrame:
    """Visits of `n_donors` simulated officers between `start` and `end`, in date order.

    Columns: donor_id, visit_date, birth_year, sex, volume_ml, site, outcome
    (the visits input kind). About 3.9 visits (3.3 donations) a donor on average.
    """
    rng = np.random.default_rng(seed)
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    end_day = end_ts.to_datetime64().astype("datetime64[D]").astype(np.int64)

    names = list(TYPES)
    shares = np.array([TYPES[k][0] for k in names])
    kind = rng.choice(len(names), size=n_donors, p=shares / shares.sum())
    p_back = np.array([TYPES[k][1] for k in names])[kind]
    extra_mean = np.array([TYPES[k][2] for k in names])[kind]
    sex = np.where(rng.random(n_donors) < 0.82, "M", "F")
    first = _first_days(rng, n_donors, start_ts, end_ts)
    age_first = np.clip(np.round(rng.gamma(3.0, 4.0, n_donors)), 0, 40) + 18
    first_year = first.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    birth_year = (first_year - age_first).astype(np.int64)
    last_year = birth_year + 60  # donors stop at 60
    p_defer = np.array([DEFERRAL[s] for s in ("M", "F")])[(sex == "F").astype(int)]
    home_site = rng.integers(0, len(SITES), n_donors)
    # women give smaller bags more often; most bags are 350 ml or more
    vol_p = np.where((sex == "F")[:, None], [[0.35, 0.55, 0.10]], [[0.12, 0.55, 0.33]])
    volume_choice = (rng.random(n_donors)[:, None] > np.cumsum(vol_p, axis=1)).sum(axis=1)

    donors, days, deferred = [], [], []
    idx = np.arange(n_donors)
    day = first.copy()
    donations = np.zeros(n_donors, dtype=np.int64)
    visit_no = np.zeros(n_donors, dtype=np.int64)
    active = np.ones(n_donors, dtype=bool)
    while active.any():
        a = idx[active]
        year_now = day[a].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        ok = (day[a] <= end_day) & (year_now <= last_year[a])
        a = a[ok]
        if a.size == 0:
            break
        p = p_defer[a] + np.where(visit_no[a] == 0, FIRST_VISIT_DEFERRAL_EXTRA, 0.0)
        defer = rng.random(a.size) < p
        donors.append(a)
        days.append(day[a])
        deferred.append(defer)
        visit_no[a] += 1
        donations[a] += ~defer
        # who comes back, and when
        back = np.where(defer, rng.random(a.size) < RETRY_AFTER_DEFERRAL,
                        rng.random(a.size) < p_back[a])
        back &= donations[a] < MAX_DONATIONS
        gap = np.where(
            defer,
            rng.integers(14, 180, a.size),
            MIN_GAP + rng.gamma(1.5, np.maximum(extra_mean[a], 1.0) / 1.5).round().astype(np.int64),
        )
        error = (~defer) & (rng.random(a.size) < ERROR_RATE)
        gap = np.where(error, rng.integers(7, MIN_GAP, a.size), gap)
        active[:] = False
        active[a[back]] = True
        day[a] = day[a] + gap

    donor = np.concatenate(donors)
    visit_day = np.concatenate(days)
    is_deferred = np.concatenate(deferred)
    # a donor mostly gives at their home site, now and then elsewhere
    site = np.where(rng.random(donor.size) < 0.8, home_site[donor], rng.integers(0, len(SITES), donor.size))
    order = np.lexsort((donor, visit_day))  # date order, as an export would come
    donor, visit_day, is_deferred, site = donor[order], visit_day[order], is_deferred[order], site[order]
    width = max(7, len(str(n_donors)))
    ids = [f"S{i:0{width}d}" for i in range(1, n_donors + 1)]
    volume = pd.array(np.array([250, 350, 450])[volume_choice[donor]], dtype="Int64")
    return pd.DataFrame(
        {
            "donor_id": pd.Categorical.from_codes(donor, categories=ids),
            "visit_date": visit_day.astype("datetime64[D]").astype("datetime64[s]"),
            "birth_year": birth_year[donor],
            "sex": pd.Categorical.from_codes((sex[donor] == "F").astype(np.int8), categories=["M", "F"]),
            "volume_ml": pd.Series(volume).mask(is_deferred).array,
            "site": pd.Categorical.from_codes(site, categories=list(SITES)),
            "outcome": pd.Categorical.from_codes(is_deferred.astype(np.int8),
                                                 categories=["donated", "deferred"]),
        }
    )


def write(frame: pd.DataFrame, path: Path) -> Path:
    """CSV (UTF-8, ISO dates) or Parquet, by the file's suffix; pyarrow writes either fast."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("visit_date"), "visit_date",
                             table["visit_date"].cast(pa.date32()))
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        plain = pa.table({
            name: col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
            for name, col in zip(table.column_names, table.columns, strict=True)
        })
        pa_csv.write_csv(plain, path, pa_csv.WriteOptions(quoting_style="none"))  # no value holds a comma
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--donors", type=int, default=N_DONORS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    frame = simulate_visits(args.donors, args.seed)
    write(frame, args.out)
    print(f"{args.out}: {len(frame):,} visits of {frame['donor_id'].nunique():,} donors")


if __name__ == "__main__":
    main()
