"""Growth and seasonality of a series, read on complete periods only.

- growth_rate is the compound growth per year between the first and the last
  complete calendar years with data: (last / first) ** (1 / years apart) − 1.
  It reads yearly totals whatever the report period, so it does not change
  when the period does.
- growth_rate_recent is the same rate over the last five years: the last
  complete year with data against the fifth year before it,
  (last / five years before) ** (1 / 5) − 1; None when that year is not a
  complete year with data (the series is shorter, or has no figure there).
- A rate from a year of 0 has no meaning: it is None, never infinite.
- Seasonality is read on calendar months (quarters for quarterly data): the
  seasonal profile is the mean of each month over complete months, and
  seasonal_amplitude = (highest − lowest monthly mean) ÷ mean of the monthly
  means. It needs 24 complete months with every month present (8 quarters
  for quarterly data), otherwise it is None; so does the STL decomposition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.qualified import Qualified
from analysis.reports.trends import periods

RECENT_YEARS = 5


def annual_changes(series: pd.DataFrame) -> pd.DataFrame:
    """Complete calendar years with data, each with its change from the previous such year,
    annualised across gaps ((v / v_prev) ** (1 / years apart) − 1; empty after a year of 0)."""
    years = periods.by_period(series, "year")
    years = years[years["status"] == "complete"].reset_index(drop=True)
    v = years["donations"].to_numpy(dtype=float, na_value=np.nan)
    y = years["start"].dt.year.to_numpy()
    change = np.full(len(years), np.nan)
    if len(years) > 1:
        change[1:] = _compound(v[:-1], v[1:], y[1:] - y[:-1])
    out = years[["period", "donations"] + (["qualifier"] if "qualifier" in years else [])].copy()
    out["year"] = y
    out["previous_year"] = pd.array(np.r_[np.nan, y[:-1]] if len(y) else [], dtype="Int64")
    out["annual_change"] = pd.array(change, dtype="Float64")
    return out


def _compound(first, last, years) -> np.ndarray:
    """(last / first) ** (1 / years) − 1, NaN where first is 0 or missing."""
    growth = periods.ratio(last, first)
    with np.errstate(invalid="ignore"):  # NaN stays NaN; a ratio here is never negative
        return np.power(growth, 1 / np.asarray(years, dtype=float)) - 1


def _rate(years: pd.DataFrame, a: pd.Series, b: pd.Series) -> tuple[float | None, str | None]:
    """The compound rate from row a to row b of annual_changes, and its qualifier."""
    rate = float(_compound(float(a["donations"]), float(b["donations"]), int(b["year"] - a["year"])))
    if not np.isfinite(rate):
        return None, None
    qa = a["qualifier"] if "qualifier" in years else "exact"
    qb = b["qualifier"] if "qualifier" in years else "exact"
    return rate, (Qualified(float(b["donations"]), qb) / Qualified(float(a["donations"]), qa)).qualifier


def compound_growth(series: pd.DataFrame) -> dict[str, object]:
    """Compound growth per year between the first and the last complete years with data,
    and over the last five years (growth_rate_recent)."""
    years = annual_changes(series)
    if len(years) < 2:
        return {"growth_rate": None, "growth_rate_recent": None, "growth_from": None,
                "growth_to": None, "growth_qualifier": None}
    a, b = years.iloc[0], years.iloc[-1]
    rate, qualifier = _rate(years, a, b)
    return {"growth_rate": rate, "growth_rate_recent": recent_growth(years)[0],
            "growth_from": str(a["period"]), "growth_to": str(b["period"]),
            "growth_qualifier": qualifier}


def recent_growth(years: pd.DataFrame) -> tuple[float | None, str | None]:
    """growth_rate_recent of an annual_changes table, and its qualifier."""
    if years.empty:
        return None, None
    last = years.iloc[-1]
    base = years[years["year"] == last["year"] - RECENT_YEARS]
    if base.empty:
        return None, None
    return _rate(years, base.iloc[0], last)


def seasonal_profile(series: pd.DataFrame) -> pd.DataFrame | None:
    """Mean, lowest and highest donations of each calendar month (quarter) over complete ones.

    None when the data are yearly or hold under two years of complete months
    (under 8 complete quarters for quarterly data), or when a month never appears.
    """
    grain = periods.native_grain(series["date"])
    if grain == "year":
        return None
    unit = "quarter" if grain == "quarter" else "month"
    slots, need = (4, 8) if unit == "quarter" else (12, 24)
    table = periods.by_period(series, unit)
    done = table[table["status"] == "complete"]
    if len(done) < need:
        return None
    season = done["start"].dt.quarter if unit == "quarter" else done["start"].dt.month
    if season.nunique() < slots:
        return None
    values = done["donations"].astype("float64")
    profile = values.groupby(season.to_numpy()).agg(["mean", "min", "max", "count"])
    profile.index.name = unit
    profile = profile.reset_index().rename(columns={"count": "years"})
    profile["index"] = periods.ratio(profile["mean"], profile["mean"].mean())
    return profile


def seasonal_amplitude(profile: pd.DataFrame | None) -> float | None:
    if profile is None:
        return None
    amplitude = float(periods.ratio(profile["mean"].max() - profile["mean"].min(), profile["mean"].mean()))
    return amplitude if np.isfinite(amplitude) else None


def decompose(series: pd.DataFrame) -> pd.DataFrame | None:
    """STL decomposition (statsmodels, robust) of complete monthly (quarterly) totals:
    start, observed, trend, seasonal, resid; None when seasonality cannot be read
    or the complete months have a gap."""
    if seasonal_profile(series) is None:
        return None
    grain = periods.native_grain(series["date"])
    unit = "quarter" if grain == "quarter" else "month"
    table = periods.by_period(series, unit)
    done = table[table["status"] == "complete"]
    if done["donations"].isna().any() or (done.index.to_series().diff().dropna() != 1).any():
        return None
    values = pd.Series(done["donations"].to_numpy(dtype=float), index=pd.DatetimeIndex(done["start"]))
    from statsmodels.tsa.seasonal import STL  # imported where used: it costs a second to import

    fit = STL(values, period=4 if unit == "quarter" else 12, robust=True).fit()
    return pd.DataFrame({"start": values.index, "observed": fit.observed.to_numpy(),
                         "trend": fit.trend.to_numpy(), "seasonal": fit.seasonal.to_numpy(),
                         "resid": fit.resid.to_numpy()})
