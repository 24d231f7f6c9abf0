"""Simulated inputs for the examples under data/example/ (never real records).

Each generator draws from a fixed seed, so the example files can be remade
byte for byte, and takes its centre and spread from the published figures
rather than from numbers typed here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis import config
from analysis.inputs import published
from analysis.model import scenario

# The 2023 drive's twelve sites: generic unit names (city police headquarters,
# district and county police, city departments), not records of who hosted what.
SITES_2023 = (
    "Trụ sở Công an thành phố",
    "Công an quận Hoàn Kiếm",
    "Công an quận Ba Đình",
    "Công an quận Đống Đa",
    "Công an quận Hai Bà Trưng",
    "Công an quận Cầu Giấy",
    "Công an quận Thanh Xuân",
    "Công an quận Long Biên",
    "Công an quận Hà Đông",
    "Công an huyện Đông Anh",
    "Công an huyện Gia Lâm",
    "Phòng Cảnh sát giao thông",
)

SESSIONS_2023_CSV = config.EXAMPLE / "sessions_2023_simulated.csv"


def simulate_sessions(
    campaign_id: str = "giotmau-2023",
    sites: tuple[str, ...] = SITES_2023,
    held_through: str | None = None,
    launch_registered: int = 650,
    show_rate: float = 0.96,
    seed: int = 2023,
) -> pd.DataFrame:
    """A campaign's session sheet as an organiser keeps it, drawn at random.

    The plan (dates, sessions, sites, registrations in all) is the published
    one of `campaign_id`; sessions fall on weekdays, the first and the last on
    the campaign's first and last day, both at the first site (it hosts two
    sessions). The launch session has `launch_registered` officers; the other
    sessions share the rest of the published registrations. Each session's
    yield (units per turn) is drawn around the historical yield before the
    campaign, with the between-session spread of the published sessions
    measured robustly (normal-consistent median absolute deviation: their
    plain standard deviation is dominated by one session far below the others
    and would put yields above 1). Turns are registered officers who presented
    (`show_rate`); deferred = turns − units.

    Each session's units are split into blood groups A, B, AB and O
    (`blood_*`) from a second stream of the same seed, so the other columns
    are the same with or without them. The drive's mix is drawn from a flat
    Dirichlet: equal expected shares, because no blood-group distribution is
    published in data/published/; the simulated mix says nothing about real donors.

    `held_through` (a date) blanks turns, deferred and units of the sessions
    after it, as in the sheet of a drive in progress. The example file keeps
    every session (the sessions loader wants a unit count on each row); a
    report cuts it at its own `as_of`.
    """
    rng = np.random.default_rng(seed)
    plan = published.campaign(campaign_id)
    n_sessions = plan.sessions_planned
    if n_sessions != len(sites) + 1:
        raise ValueError(f"{n_sessions} sessions need {n_sessions - 1} sites, got {len(sites)}")
    snapshot = published.totals_before(plan.start_date)
    yield_mean = float(snapshot["units"]) / float(snapshot["turns"])
    yield_sd = float(
        stats.median_abs_deviation(scenario.session_yields(published.sessions()), scale="normal")
    )

    weekdays = pd.bdate_range(plan.start_date, plan.end_date)
    inner = rng.choice(weekdays[1:-1], size=n_sessions - 2, replace=False)
    dates = pd.DatetimeIndex([weekdays[0], *sorted(inner), weekdays[-1]])
    order = [sites[0], *rng.permutation(sites[1:]), sites[0]]

    rest = plan.registered.value - launch_registered
    weights = rng.dirichlet(np.full(n_sessions - 1, 40.0))
    registered = np.concatenate([[launch_registered], np.round(weights * rest)]).astype(int)

    turns = rng.binomial(registered, show_rate)
    yields = np.clip(rng.normal(yield_mean, yield_sd, n_sessions), 0.5, 0.98)
    units = rng.binomial(turns, yields)
    sheet = pd.DataFrame(
        {
            "session_date": dates.strftime("%Y-%m-%d"),
            "site": order,
            "campaign_id": campaign_id,
            "registered": registered,
            "turns": pd.array(turns, dtype="Int64"),
            "deferred": pd.array(turns - units, dtype="Int64"),
            "units": pd.array(units, dtype="Int64"),
        }
    )
    groups = blood_groups(units, np.random.default_rng([seed, 1]))
    for name in BLOOD_GROUPS:
        sheet[name] = pd.array(groups[name], dtype="Int64")
    if held_through is not None:
        later = dates > pd.Timestamp(held_through)
        sheet.loc[later, ["turns", "deferred", "units", *BLOOD_GROUPS]] = pd.NA
    return sheet


BLOOD_GROUPS = ("blood_a", "blood_b", "blood_ab", "blood_o")


def blood_groups(units: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each session's units split into the four groups: one mix for the drive (a flat Dirichlet,
    equal expected shares), each session's split drawn around it (a multinomial)."""
    mix = rng.dirichlet(np.ones(len(BLOOD_GROUPS)))
    split = np.array([rng.multinomial(n, mix) for n in units])
    return {name: split[:, i] for i, name in enumerate(BLOOD_GROUPS)}


def write_example_sessions(path: str | Path = SESSIONS_2023_CSV) -> Path:
    """Write the simulated 2023 session sheet (data/example/sessions_2023_simulated.csv)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    simulate_sessions().to_csv(path, index=False, lineterminator="\n")
    return path
