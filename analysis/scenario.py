"""The scenario model shared by the campaign notebooks.

units = registered × show rate × yield. The campaign's yield is the mean of
its sessions' yields; the sessions' yields scatter around the historical yield
with the spread seen between real sessions (the published session figures, or
the sessions held so far), so the campaign yield is taken as normal with mean
`yield_mean` and standard deviation `session_sd / sqrt(n_sessions)`. From that
follow, in closed form, the projection interval, the chance of meeting the
target and the registrations a target needs at a chosen confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class YieldModel:
    """Campaign yield ~ Normal(mean, session_sd / sqrt(n_sessions))."""

    mean: float
    session_sd: float
    n_sessions: int
    n_observed: int  # how many sessions the spread was measured on

    @property
    def sd(self) -> float:
        return self.session_sd / math.sqrt(self.n_sessions)


@dataclass(frozen=True)
class Projection:
    expected: float
    low: float
    high: float
    level: float
    p_target_met: float | None


def session_yields(sessions: pd.DataFrame) -> pd.Series:
    """Units ÷ registered for sessions that publish both as plain numbers.

    Sessions whose unit count is only a bound (a half-day tally, "at least")
    are left out: they say nothing about the yield of a whole session.
    """
    usable = sessions.dropna(subset=["registered", "units"])
    if "units_qualifier" in usable:
        usable = usable[usable["units_qualifier"].fillna("exact") == "exact"]
    usable = usable[usable["registered"] > 0]
    return (usable["units"].astype(float) / usable["registered"].astype(float)).rename("yield")


def yield_model(mean: float, yields: pd.Series, n_sessions: int) -> YieldModel:
    """A model centred on `mean` with the between-session spread of `yields`."""
    yields = pd.Series(yields, dtype=float).dropna()
    if len(yields) < 2:
        raise ValueError("the spread of the yield needs at least two session yields")
    if n_sessions < 1:
        raise ValueError("n_sessions must be at least 1")
    return YieldModel(float(mean), float(yields.std(ddof=1)), int(n_sessions), len(yields))


def project(model: YieldModel, presenting: float, target: float | None, level: float = 0.9) -> Projection:
    """Units from `presenting` officers (registered × show rate), with a `level` interval."""
    z = stats.norm.ppf(0.5 + level / 2)
    expected = presenting * model.mean
    half = z * presenting * model.sd
    p = None if target is None else p_target_met(model, presenting, target)
    return Projection(expected, expected - half, expected + half, level, p)


def p_target_met(model: YieldModel, presenting: float, target: float) -> float:
    """P(presenting × campaign yield ≥ target)."""
    if presenting <= 0:
        return 0.0
    needed = target / presenting
    return float(stats.norm.sf(needed, loc=model.mean, scale=model.sd))


def registrations_needed(
    model: YieldModel, target: float, confidence: float, show_rate: float = 1.0
) -> float:
    """Registrations giving a `confidence` chance of reaching `target` (inf if none can)."""
    worst_yield = model.mean - stats.norm.ppf(confidence) * model.sd
    if worst_yield <= 0 or show_rate <= 0:
        return math.inf
    return target / (show_rate * worst_yield)


def simulate_totals(
    model: YieldModel, presenting: float, n_draws: int, seed: int
) -> np.ndarray:
    """Draws of the campaign total from the session-level model itself.

    Each draw gives every session its own yield (normal, session_sd around the
    mean) and splits the presenting officers evenly: an independent check on
    the closed forms above.
    """
    rng = np.random.default_rng(seed)
    per_session = presenting / model.n_sessions
    yields = rng.normal(model.mean, model.session_sd, size=(n_draws, model.n_sessions))
    return (yields * per_session).sum(axis=1)
