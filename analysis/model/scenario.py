"""The scenario model shared by the campaign notebooks.

units = registered × show rate × yield. The campaign's yield is the mean of
its sessions' yields; the sessions' yields scatter around the historical yield
with the spread seen between real sessions (the published session figures, or
the sessions held so far), so the campaign yield is taken as normal with mean
`yield_mean` and standard deviation `session_sd / sqrt(n_sessions)`. From that
follow, in closed form, the projection interval, the chance of meeting the
target and the registrations a target needs at a chosen confidence.

During a campaign (`campaign_progress`) the same model covers the sessions
still to come: final total = units to date + registered still to come × yield.
Once sessions have been held, the yield's mean and spread are measured on them
(`held_model`); the mean is then itself an estimate from few sessions, so its
error is added to the spread and intervals use Student's t with
n_held − 1 degrees of freedom (a prediction interval for the remaining
sessions). `project_remaining` adds the units already collected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class YieldModel:
    """Campaign yield ~ Normal(mean, session_sd / sqrt(n_sessions)).

    With `mean_estimated` (the mean measured on the same `n_observed` sessions
    as the spread, as `held_model` does) the campaign yield is instead
    mean + t(n_observed − 1) × session_sd × sqrt(1/n_sessions + 1/n_observed).
    """

    mean: float
    session_sd: float
    n_sessions: int
    n_observed: int  # how many sessions the spread was measured on
    mean_estimated: bool = False

    @property
    def sd(self) -> float:
        if self.mean_estimated:
            return self.session_sd * math.sqrt(1 / self.n_sessions + 1 / self.n_observed)
        return self.session_sd / math.sqrt(self.n_sessions)

    @property
    def df(self) -> int | None:
        """Degrees of freedom of Student's t, or None for the normal."""
        return self.n_observed - 1 if self.mean_estimated else None

    def dist(self):
        """The campaign yield's distribution (a frozen scipy.stats distribution)."""
        from scipy import stats  # here: the runner imports this module to check inputs, and needs no scipy

        if self.df is None:
            return stats.norm(loc=self.mean, scale=self.sd)
        return stats.t(self.df, loc=self.mean, scale=self.sd)


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
    from scipy import stats

    z = (stats.norm if model.df is None else stats.t(model.df)).ppf(0.5 + level / 2)
    expected = presenting * model.mean
    half = z * presenting * model.sd
    p = None if target is None else p_target_met(model, presenting, target)
    return Projection(expected, expected - half, expected + half, level, p)


def p_target_met(model: YieldModel, presenting: float, target: float) -> float:
    """P(presenting × campaign yield ≥ target)."""
    if presenting <= 0:
        return 0.0
    needed = target / presenting
    return float(model.dist().sf(needed))


def registrations_needed(
    model: YieldModel, target: float, confidence: float, show_rate: float = 1.0
) -> float:
    """Registrations giving a `confidence` chance of reaching `target` (inf if none can)."""
    worst_yield = float(model.dist().ppf(1 - confidence))
    if worst_yield <= 0 or show_rate <= 0:
        return math.inf
    return target / (show_rate * worst_yield)


def simulate_totals(model: YieldModel, presenting: float, n_draws: int, seed: int) -> np.ndarray:
    """Draws of the campaign total from the session-level model itself.

    Each draw gives every session its own yield (normal, session_sd around the
    mean) and splits the presenting officers evenly: an independent check on
    the closed forms above. With `mean_estimated`, each draw first draws the
    unknown spread and mean given the observed sessions (flat prior: spread²
    scaled inverse chi-squared, mean normal around the observed mean), which
    is what makes the closed form a Student's t.
    """
    rng = np.random.default_rng(seed)
    per_session = presenting / model.n_sessions
    if model.mean_estimated:
        df = model.n_observed - 1
        sd = model.session_sd * np.sqrt(df / rng.chisquare(df, size=(n_draws, 1)))
        mean = rng.normal(model.mean, sd / np.sqrt(model.n_observed))
    else:
        sd, mean = model.session_sd, model.mean
    yields = rng.normal(mean, sd, size=(n_draws, model.n_sessions))
    return (yields * per_session).sum(axis=1)


def held_model(rates: pd.Series, n_remaining: int) -> YieldModel:
    """Model of the remaining sessions' mean rate, measured on the sessions held.

    `rates` holds one figure per held session: units ÷ registered (the yield)
    or, when the sheet gives no registrations, units per session. Mean and
    spread are both taken from them, so the model carries the mean's own
    error (`mean_estimated`).
    """
    rates = pd.Series(rates, dtype=float).dropna()
    if len(rates) < 2:
        raise ValueError("a model from held sessions needs at least two of them")
    if n_remaining < 1:
        raise ValueError("n_remaining must be at least 1")
    return YieldModel(
        float(rates.mean()),
        float(rates.std(ddof=1)),
        int(n_remaining),
        len(rates),
        mean_estimated=True,
    )


def project_remaining(
    model: YieldModel | None,
    units_to_date: float,
    scale: float,
    target: float | None,
    level: float = 0.9,
    most: float | None = None,
) -> Projection:
    """Final total = units to date + `scale` × the remaining sessions' mean rate.

    `scale` is the officers still to register and present (with a yield
    model) or the number of remaining sessions (with a units-per-session
    model). With no remaining sessions (`model` None or `scale` 0) the final
    total is the units to date. The interval is cut at what can physically
    happen: no fewer units than already collected, no more than `most`
    remaining units (e.g. one per officer still to come), which only makes it
    surer to hold the final total.
    """
    if model is None or scale <= 0:
        p = None if target is None else float(units_to_date >= target)
        return Projection(float(units_to_date), float(units_to_date), float(units_to_date), level, p)
    rest = project(model, scale, None, level)
    high = rest.high if most is None else min(rest.high, most)
    p = None
    if target is not None:
        still = target - units_to_date
        p = 1.0 if still <= 0 else p_target_met(model, scale, still)
    return Projection(
        float(units_to_date + rest.expected),
        float(units_to_date + max(rest.low, 0.0)),
        float(units_to_date + high),
        level,
        p,
    )
