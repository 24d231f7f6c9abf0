"""Figures of the trends report. Each function takes `disclosure.Safe` tables and returns a
matplotlib Figure without showing it; each `*_alt` function says in words what its figure
shows (the alt text a screen reader and the printed report keep)."""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from babel.dates import get_month_names
from babel.numbers import format_compact_decimal
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from analysis.model import disclosure
from analysis.output.theme import PALETTE, theme
from analysis.reports.trends import periods
from analysis.reports.trends.shown import readable
from analysis.text import i18n

MARKERS = {"exact": "o", "about": "D", "at_least": "^", "at_most": "v"}
MANY = 120  # above this many periods, lines without markers
LABELLED = 24  # up to this many periods, each value is written above its point
LOW = 0.2  # a trough in the lowest fifth of the axes is labelled beside its point, not below
TROUGH = "#8e44ad"


def _compact(v: float, lang: str) -> str:
    return format_compact_decimal(v, locale=periods.LOCALES[lang], fraction_digits=1)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pct_axis(ax, lang: str) -> None:
    """Percent ticks on round steps (1, 2, 5 %), so no two ticks round to the same label."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda t, _: i18n.fmt_pct(t, lang, 0 if abs(t) >= 0.01 or t == 0 else 1)))


def date_ticks(first: pd.Timestamp, last: pd.Timestamp, most: int = 8) -> tuple[list, str]:
    """Tick dates between `first` and `last` on round steps, at most `most` of them, and the
    grain their labels are written at: years over three years, else months, else days."""
    days = (last - first).days
    if days > 3 * 366:
        first_year = first.year if (first.month, first.day) == (1, 1) else first.year + 1
        years = list(range(first_year, last.year + 1))
        step = next(s for s in (1, 2, 5, 10, 20, 50) if len(years) / s <= most)
        return [pd.Timestamp(y, 1, 1) for y in years if y % step == 0], "year"
    if days > 62:
        months = pd.date_range(first.to_period("M").start_time, last, freq="MS")
        step = next(s for s in (1, 2, 3, 6, 12) if len(months) / s <= most)
        return [m for m in months if m >= first and (m.month - 1) % step == 0], "month"
    span = pd.date_range(first, last, freq="D")
    step = next(s for s in (1, 2, 7, 14, 28) if len(span) / s <= most)
    return list(span[::step]), "day"


def _date_axis(ax, first: pd.Timestamp, last: pd.Timestamp, lang: str, most: int = 8) -> None:
    """Dates on the x axis the way a reader writes them ('2019', '08/2023', 'Aug 2023', '04/08/2023')."""
    ticks, grain = date_ticks(pd.Timestamp(first), pd.Timestamp(last), most)
    if not ticks:
        return
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: periods.display_label(
        pd.Timestamp(mdates.num2date(v).replace(tzinfo=None)), grain, lang)))


# --------------------------------------------------------------------------- the series


def series_chart(table: disclosure.Safe, figs: dict, period: str, lang: str, what: str):
    """Donations per period with the moving average. Partial periods are hollow points joined
    by a dashed segment and labelled; missing ones are crossed on the axis; peak and trough
    are circled; published qualifiers are marker shapes."""
    frame = disclosure.require(table).frame
    theme()
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = pd.DatetimeIndex(frame["start"])
    y = frame["donations"].to_numpy(dtype=float, na_value=np.nan)
    status = frame["status"].to_numpy()
    many, labelled = len(frame) > MANY, len(frame) <= LABELLED
    quals = frame["qualifier"] if "qualifier" in frame else pd.Series("exact", index=frame.index)
    top = np.nanmax(y) * 1.2 if np.isfinite(y).any() else 1.0
    ax.set_ylim(0, top)
    complete = status == "complete"
    ax.plot(x, np.where(complete, y, np.nan), color=PALETTE["history"], lw=0.7 if many else 1.2,
            alpha=0.6 if many else 0.9, zorder=2)
    handles = []
    if not many:
        for q, marker in MARKERS.items():
            sel = complete & (quals == q).to_numpy()
            if sel.any():
                ax.scatter(x[sel], y[sel], marker=marker, s=45, color=PALETTE["history"], zorder=3)
                if "qualifier" in frame:
                    handles.append(Line2D([], [], ls="", marker=marker, color=PALETTE["history"],
                                          label=i18n.t("tr_chart_q_" + q, lang)))
    handles += _partial(ax, x, y, status, quals, labelled, lang)
    missing = status == "missing"
    if missing.any() and not many:
        ax.scatter(x[missing], np.zeros(missing.sum()), marker="x", color=PALETTE["grey"], s=40,
                   clip_on=False, zorder=3)
        handles.append(Line2D([], [], ls="", marker="x", color=PALETTE["grey"],
                              label=i18n.t("tr_chart_missing", lang)))
    ma = frame["moving_average"].to_numpy(dtype=float, na_value=np.nan)
    if np.isfinite(ma).any():
        ax.plot(x, ma, color=PALETTE["projection"], lw=2.2, zorder=3)
        handles.append(Line2D([], [], color=PALETTE["projection"], lw=2.2, label=i18n.t(
            "tr_chart_ma", lang, n=periods.MA_WINDOW[period], periods=i18n.t("tr_periods_" + period, lang))))
    if labelled:
        for xi, yi, q, s in zip(x, y, quals, status, strict=True):
            if np.isfinite(yi) and s == "complete":
                text = i18n.fmt_qualified(_compact(yi, lang), q if isinstance(q, str) else "exact", lang)
                ax.annotate(text, (xi, yi), xytext=(0, 8), textcoords="offset points", ha="center",
                            fontsize=8, color="#333333")
    _extremes(ax, frame, figs, period, lang, top, labelled)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.margins(x=0.03)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    ax.set_ylabel(_capital(what))
    ax.set_title(i18n.t("tr_chart_series_title", lang, what=_capital(what),
                        period=i18n.t("tr_period_" + period, lang)))
    if period == "year" and len(frame) <= 30:
        ax.set_xticks(x, [str(s.year) for s in x])
    else:
        _date_axis(ax, x.min(), x.max(), lang)
    if handles:  # under the axes: inside, it would hide a low last period
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), fontsize=9,
                  ncol=min(len(handles), 4), frameon=False)
    fig.tight_layout()
    return fig


def _partial(ax, x, y, status, quals, labelled: bool, lang: str) -> list:
    """Partial periods: a hollow marker, a dashed segment from the next complete period, a label."""
    partial = np.flatnonzero(status == "partial")
    if not partial.size:
        return []
    color, word = PALETTE["target"], i18n.t("tr_chart_partial_mark", lang)
    for i in partial:
        for j in (i - 1, i + 1):
            if 0 <= j < len(y) and status[j] == "complete" and np.isfinite(y[j]):
                ax.plot([x[j], x[i]], [y[j], y[i]], ls="--", lw=1.3, color=color, zorder=2)
        q = quals.iloc[i] if isinstance(quals.iloc[i], str) else "exact"
        text = f"{i18n.fmt_qualified(_compact(y[i], lang), q, lang)} ({word})" if labelled else word
        ha = "left" if i < len(y) / 2 else "right"
        ax.annotate(text, (x[i], y[i]), xytext=(6 if ha == "left" else -6, 8), textcoords="offset points",
                    ha=ha, fontsize=8, color=color, fontstyle="italic")
    ax.scatter(x[partial], y[partial], marker="o", s=55, facecolors="white", edgecolors=color,
               linewidths=1.5, zorder=4)
    return [Line2D([], [], ls="--", color=color, marker="o", markerfacecolor="white",
                   markeredgecolor=color, label=i18n.t("tr_chart_partial", lang))]


def _extremes(ax, frame: pd.DataFrame, figs: dict, period: str, lang: str, top: float,
              labelled: bool) -> None:
    """Peak and trough circled and named: the peak above its point, the trough below it, or
    beside it when it sits so low that a label below would run into the axis."""
    for key, color in (("peak", PALETTE["target"]), ("trough", TROUGH)):
        label = figs.get(f"{key}_period")
        if label is None:
            continue
        pos = int(np.flatnonzero(frame["period"].to_numpy() == label)[0])
        row = frame.iloc[pos]
        value = float(row["donations"])
        text = f"{i18n.t('tr_chart_' + key, lang)}: {periods.display_label(row['start'], period, lang)}"
        ax.scatter([row["start"]], [value], s=110, facecolors="none", edgecolors=color, linewidths=2,
                   zorder=5)
        side = "left" if pos < len(frame) / 2 else "right"
        # near either end the label runs inwards, so it never crosses the vertical axis
        ha = "left" if pos < len(frame) / 4 else "right" if pos > 3 * len(frame) / 4 else "center"
        if key == "peak":
            where = {"xytext": (0, 22 if labelled else 12), "ha": ha, "va": "bottom"}
        elif value / top > LOW:
            where = {"xytext": (0, -14), "ha": ha, "va": "top"}
        else:
            where = {"xytext": (12 if side == "left" else -12, 3), "ha": side, "va": "bottom"}
        ax.annotate(text, (row["start"], value), textcoords="offset points", color=color, fontsize=9,
                    fontweight="bold", zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                    **where)


def series_alt(table: disclosure.Safe, figs: dict, period: str, lang: str, what: str) -> str:
    frame = disclosure.require(table).frame
    label = dict(zip(frame["period"], (periods.display_label(s, period, lang) for s in frame["start"]),
                     strict=True))
    parts = [i18n.t("tr_alt_series", lang, what=what, period=i18n.t("tr_period_" + period, lang),
                    start=label[figs["period_start"]], end=label[figs["period_end"]])]
    if figs["peak_period"] is not None:
        parts.append(i18n.t("tr_alt_extremes", lang, peak=label[figs["peak_period"]],
                            trough=label[figs["trough_period"]]))
    if (frame["status"] == "partial").any():
        parts.append(i18n.t("tr_alt_partial", lang))
    return " ".join(parts)


# --------------------------------------------------------------------------- growth


def annual_change_chart(changes: disclosure.Safe, figs: dict, lang: str):
    """Bars of the yearly change (annualised across unpublished years); compound growth dashed,
    the last five years' rate dotted. Only drawn when there is a change to draw."""
    c = disclosure.require(changes).frame.dropna(subset=["annual_change"])
    if c.empty:
        raise ValueError("no yearly change to draw: say so in the text instead")
    theme()
    fig, ax = plt.subplots(figsize=(9, 4))
    v = c["annual_change"].to_numpy(dtype=float)
    labels = [f"{p}→{y}" if y - p > 1 else str(y)
              for p, y in zip(c["previous_year"].astype(int), c["year"].astype(int), strict=True)]
    xs = np.arange(len(c))
    ax.bar(xs, v, color=np.where(v >= 0, PALETTE["projection"], PALETTE["target"]), width=0.6)
    for xi, vi in zip(xs, v, strict=True):
        ax.text(xi, vi, i18n.fmt_pct(vi, lang), ha="center", va="bottom" if vi >= 0 else "top", fontsize=9)
    lines = (("growth_rate", "--", "tr_chart_growth_line"),
             ("growth_rate_recent", ":", "tr_chart_recent_line"))
    drawn = [(figs[k], ls, key) for k, ls, key in lines if figs.get(k) is not None]
    for rate, ls, key in drawn:
        ax.axhline(rate, color=PALETTE["history"], ls=ls, lw=1.6,
                   label=i18n.t(key, lang, rate=i18n.fmt_pct(rate, lang)))
    if drawn:
        fig.legend(loc="lower center", ncol=len(drawn), frameon=False)
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(xs, labels, rotation=0 if len(c) <= 12 else 60, fontsize=9)
    lo, hi = min(v.min(), 0, *[r for r, _, _ in drawn]), max(v.max(), 0, *[r for r, _, _ in drawn])
    pad = (hi - lo) * 0.2 or 0.05
    ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
    _pct_axis(ax, lang)
    ax.set_ylabel(i18n.t("tr_chart_change_y", lang))
    ax.set_title(i18n.t("tr_chart_change_title", lang))
    fig.tight_layout(rect=(0, 0.08 if drawn else 0, 1, 1))
    return fig


def annual_change_alt(changes: disclosure.Safe, figs: dict, lang: str) -> str:
    c = disclosure.require(changes).frame.dropna(subset=["annual_change"])
    text = i18n.t("tr_alt_change", lang, first=int(c["year"].iloc[0]), last=int(c["year"].iloc[-1]),
                  n=len(c))
    if figs["growth_rate"] is not None:
        text += " " + i18n.t("tr_alt_change_growth", lang, rate=i18n.fmt_pct(figs["growth_rate"], lang))
    return text


# --------------------------------------------------------------------------- seasons


def seasonal_chart(profile: disclosure.Safe, lang: str):
    """Mean donations per calendar month (or quarter), with the range over the years."""
    frame = disclosure.require(profile).frame
    theme()
    unit = frame.columns[0]
    fig, ax = plt.subplots(figsize=(9, 4))
    x = frame[unit].to_numpy()
    mean = frame["mean"].to_numpy(dtype=float)
    ax.bar(x, mean, color=PALETTE["history"], width=0.7)
    low, high = frame["min"].to_numpy(dtype=float), frame["max"].to_numpy(dtype=float)
    ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="none", ecolor="#333333", capsize=3, lw=1)
    if unit == "month":
        names = get_month_names("abbreviated", locale=periods.LOCALES[lang])
        ax.set_xticks(x, [names[int(m)] for m in x])
        title = "tr_chart_season_title"
    else:
        ax.set_xticks(x, [i18n.t("tr_quarter_name", lang, q=int(q)) for q in x])
        title = "tr_chart_season_q_title"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    ax.set_title(i18n.t(title, lang))
    fig.tight_layout()
    return fig


def seasonal_alt(season: dict, what: str, lang: str) -> str:
    """`season` is the season section's context (its unit, busiest and quietest month)."""
    return i18n.t("tr_alt_season", lang, what=what, unit=i18n.t("tr_period_" + season["season_unit"], lang),
                  peak=season["season_peak"], trough=season["season_trough"])


def stl_chart(parts: disclosure.Safe, unit: str, lang: str):
    """The four STL panels of the monthly (`unit` "month") or quarterly totals: observed,
    trend, seasonal, residual."""
    frame = disclosure.require(parts).frame
    theme()
    fig, axes = plt.subplots(4, 1, figsize=(10, 7), sharex=True)
    x = pd.DatetimeIndex(frame["start"])
    for ax, key in zip(axes, ("observed", "trend", "seasonal", "resid"), strict=True):
        values = frame[key].to_numpy(dtype=float)
        if key == "resid":
            ax.scatter(x, values, s=6, color=PALETTE["history"])
            ax.axhline(0, color="#333333", lw=0.8)
        else:
            ax.plot(x, values, color=PALETTE["history"], lw=1.2)
        ax.set_ylabel(i18n.t("tr_chart_stl_" + key, lang), fontsize=9)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    _date_axis(axes[-1], x.min(), x.max(), lang)
    axes[0].set_title(i18n.t("tr_chart_stl_title", lang, unit=i18n.t("tr_period_" + unit, lang)))
    fig.tight_layout()
    return fig


def stl_alt(unit: str, lang: str) -> str:
    return i18n.t("tr_alt_stl", lang, unit=i18n.t("tr_period_" + unit, lang))


# --------------------------------------------------------------------------- breakdowns, regions


def shares_chart(shares: disclosure.Safe, lang: str):
    """Each breakdown column's share of donations over time."""
    frame = disclosure.require(shares).frame
    theme()
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for name, part in frame.groupby("breakdown", sort=False):
        ax.plot(pd.DatetimeIndex(part["start"]), part["share"].to_numpy(dtype=float, na_value=np.nan),
                lw=1.5, label=readable(name))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.fmt_pct(v, lang, 0)))
    ax.set_ylim(bottom=0)
    starts = pd.DatetimeIndex(frame["start"])
    _date_axis(ax, starts.min(), starts.max(), lang)
    ax.set_ylabel(i18n.t("tr_chart_share", lang))
    ax.set_title(i18n.t("tr_chart_shares_title", lang))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    fig.tight_layout()
    return fig


def shares_alt(shares: disclosure.Safe, lang: str) -> str:
    names = [readable(n) for n in dict.fromkeys(disclosure.require(shares).frame["breakdown"])]
    return i18n.t("tr_alt_shares", lang, parts=", ".join(names))


def regions_chart(regions: disclosure.Safe, period: str, lang: str, what: str):
    """Small multiples: one panel per region, its own vertical scale, each from its first
    report, complete periods only."""
    frame = disclosure.require(regions).frame
    theme()
    names = list(dict.fromkeys(frame["region"]))
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(max(3.2 * cols, 7), 2.3 * rows + 0.6), sharex=True,
                             squeeze=False)
    starts = pd.DatetimeIndex(frame["start"])
    for ax, name in zip(axes.flat, names, strict=False):
        part = frame[(frame["region"] == name) & (frame["status"] == "complete")]
        ax.plot(pd.DatetimeIndex(part["start"]), part["donations"].to_numpy(dtype=float, na_value=np.nan),
                color=PALETTE["history"], lw=1)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
        ax.tick_params(labelsize=8)
    _date_axis(axes.flat[0], starts.min(), starts.max(), lang, most=4)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle(i18n.t("tr_chart_regions_title", lang, what=_capital(what),
                        period=i18n.t("tr_period_" + periods.coarse(period), lang)))
    fig.tight_layout()
    return fig


def regions_alt(regions: disclosure.Safe, period: str, lang: str, what: str) -> str:
    names = list(dict.fromkeys(disclosure.require(regions).frame["region"]))
    return i18n.t("tr_alt_regions", lang, what=what, n=len(names), regions=", ".join(map(str, names)),
                  period=i18n.t("tr_period_" + periods.coarse(period), lang))
