"""Figures of the trends report. Each function returns a matplotlib Figure and never shows it."""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from babel.dates import get_month_names
from babel.numbers import format_compact_decimal
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.text import i18n
from analysis.reports.trends import compute as trends
from analysis.output.theme import PALETTE, theme

MARKERS = {"exact": "o", "about": "D", "at_least": "^", "at_most": "v"}
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}
MANY = 120  # above this many periods, lines without markers
LABELLED = 24  # up to this many periods, each value is written above its point


def _compact(v: float, lang: str) -> str:
    return format_compact_decimal(v, locale=_LOCALES[lang], fraction_digits=1)


def _pct_axis(ax, lang: str) -> None:
    """Percent ticks on round steps (1, 2, 5 %), so no two ticks round to the same label."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda t, _: i18n.fmt_pct(t, lang, 0 if abs(t) >= 0.01 or t == 0 else 1)))


def _what(measure: str, lang: str) -> str:
    text = i18n.t("tr_measure_" + measure, lang)
    return text[:1].upper() + text[1:]


def series_chart(table: pd.DataFrame, figs: dict, period: str, lang: str, measure: str = "donations"):
    """Donations per period with the moving average; incomplete periods, gaps, peak and
    trough marked; published qualifiers shown as marker shapes."""
    theme()
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = pd.DatetimeIndex(table["start"])
    y = table["donations"].to_numpy(dtype=float, na_value=np.nan)
    many = len(table) > MANY
    complete = (table["status"] == "complete").to_numpy()
    partial = (table["status"] == "partial").to_numpy()
    handles = []
    ax.plot(x, y, color=PALETTE["history"], lw=0.7 if many else 1.2, alpha=0.6 if many else 0.9,
            zorder=2)
    if not many:
        quals = table["qualifier"] if "qualifier" in table else pd.Series("exact", index=table.index)
        for q, marker in MARKERS.items():
            sel = complete & (quals == q).to_numpy()
            if sel.any():
                ax.scatter(x[sel], y[sel], marker=marker, s=45, color=PALETTE["history"], zorder=3)
                if "qualifier" in table:
                    handles.append(Line2D([], [], ls="", marker=marker, color=PALETTE["history"],
                                          label=i18n.t("tr_chart_q_" + q, lang)))
    if partial.any():
        ax.scatter(x[partial], y[partial], marker="o", s=55, facecolors="white",
                   edgecolors=PALETTE["target"], linewidths=1.5, zorder=4)
        for xi in x[partial]:
            end = xi + (table.loc[table["start"] == xi, "end"].iloc[0] - xi)
            ax.axvspan(xi, end, color=PALETTE["grey"], alpha=0.12, lw=0)
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="white",
                              markeredgecolor=PALETTE["target"], label=i18n.t("tr_chart_partial", lang)))
    missing = (table["status"] == "missing").to_numpy()
    if missing.any() and not many:
        ax.scatter(x[missing], np.zeros(missing.sum()), marker="x", color=PALETTE["grey"], s=40,
                   clip_on=False, zorder=3)
        handles.append(Line2D([], [], ls="", marker="x", color=PALETTE["grey"],
                              label=i18n.t("tr_chart_missing", lang)))
    ma = table["moving_average"].to_numpy(dtype=float, na_value=np.nan)
    if np.isfinite(ma).any():
        window = trends.MA_WINDOW[period]
        ax.plot(x, ma, color=PALETTE["projection"], lw=2.2, zorder=3)
        handles.append(Line2D([], [], color=PALETTE["projection"], lw=2.2, label=i18n.t(
            "tr_chart_ma", lang, n=window, period=i18n.t("tr_period_" + period, lang))))
    if len(table) <= LABELLED:
        quals = table["qualifier"] if "qualifier" in table else pd.Series("exact", index=table.index)
        for xi, yi, q in zip(x, y, quals, strict=True):
            if np.isfinite(yi):
                text = i18n.fmt_qualified(_compact(yi, lang), q if isinstance(q, str) else "exact", lang)
                ax.annotate(text, (xi, yi), xytext=(0, 8), textcoords="offset points", ha="center",
                            fontsize=8, color="#333333")
    for key, color, offset in (("peak", PALETTE["target"], 22), ("trough", "#8e44ad", -20)):
        label = figs.get(f"{key}_period")
        if label is None:
            continue
        pos = int(np.flatnonzero(table["period"].to_numpy() == label)[0])
        row = table.iloc[pos]
        ha = "left" if pos < len(table) / 4 else "right" if pos > 3 * len(table) / 4 else "center"
        ax.scatter([row["start"]], [row["donations"]], s=110, facecolors="none", edgecolors=color,
                   linewidths=2, zorder=5)
        ax.annotate(f"{i18n.t('tr_chart_' + key, lang)}: {trends.display_label(row['start'], period, lang)}",
                    (row["start"], row["donations"]), xytext=(0, offset), textcoords="offset points",
                    ha=ha, color=color, fontsize=9, fontweight="bold")
    ax.set_ylim(0, np.nanmax(y) * 1.2 if np.isfinite(y).any() else 1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.margins(x=0.03)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    what = _what(measure, lang)
    ax.set_ylabel(what)
    ax.set_title(i18n.t("tr_chart_series_title", lang, what=what,
                        period=i18n.t("tr_period_" + period, lang)))
    if period == "year" and len(table) <= 30:
        ax.set_xticks(x, [str(s.year) for s in x])
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def annual_change_chart(changes: pd.DataFrame, growth: float | None, lang: str):
    """Bars of the yearly change (annualised across unpublished years), compound growth dashed."""
    theme()
    c = changes.dropna(subset=["annual_change"])
    fig, ax = plt.subplots(figsize=(9, 4))
    if c.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, i18n.t("tr_no_growth", lang).split("\n\n")[-1], ha="center", va="center")
        return fig
    v = c["annual_change"].to_numpy(dtype=float)
    labels = [f"{p}→{y}" if y - p > 1 else str(y)
              for p, y in zip(c["previous_year"].astype(int), c["year"].astype(int), strict=True)]
    xs = np.arange(len(c))
    ax.bar(xs, v, color=np.where(v >= 0, PALETTE["projection"], PALETTE["target"]), width=0.6)
    for xi, vi in zip(xs, v, strict=True):
        ax.text(xi, vi, i18n.fmt_pct(vi, lang), ha="center", va="bottom" if vi >= 0 else "top", fontsize=9)
    if growth is not None:
        ax.axhline(growth, color=PALETTE["history"], ls="--",
                   label=i18n.t("tr_chart_growth_line", lang, rate=i18n.fmt_pct(growth, lang)))
        fig.legend(loc="lower center", ncol=1, frameon=False)
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(xs, labels, rotation=0 if len(c) <= 12 else 60, fontsize=9)
    lo, hi = min(v.min(), 0), max(v.max(), 0)
    pad = (hi - lo) * 0.2 or 0.05
    ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
    _pct_axis(ax, lang)
    ax.set_ylabel(i18n.t("tr_chart_change_y", lang))
    ax.set_title(i18n.t("tr_chart_change_title", lang))
    fig.tight_layout(rect=(0, 0.08 if growth is not None else 0, 1, 1))
    return fig


def seasonal_chart(profile: pd.DataFrame, lang: str):
    """Mean donations per calendar month (or quarter), with the range over the years."""
    theme()
    unit = profile.columns[0]
    fig, ax = plt.subplots(figsize=(9, 4))
    x = profile[unit].to_numpy()
    mean = profile["mean"].to_numpy()
    ax.bar(x, mean, color=PALETTE["history"], width=0.7)
    ax.errorbar(x, mean, yerr=[mean - profile["min"].to_numpy(), profile["max"].to_numpy() - mean],
                fmt="none", ecolor="#333333", capsize=3, lw=1)
    if unit == "month":
        names = get_month_names("abbreviated", locale=_LOCALES[lang])
        ax.set_xticks(x, [names[int(m)] for m in x])
        title = "tr_chart_season_title"
    else:
        ax.set_xticks(x, [i18n.t("tr_quarter_name", lang, q=int(q)) for q in x])
        title = "tr_chart_season_q_title"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    ax.set_title(i18n.t(title, lang))
    fig.tight_layout()
    return fig


def stl_chart(result, lang: str):
    """The four STL panels: observed, trend, seasonal, residual."""
    theme()
    fig, axes = plt.subplots(4, 1, figsize=(10, 7), sharex=True)
    parts = (("observed", result.observed), ("trend", result.trend),
             ("seasonal", result.seasonal), ("resid", result.resid))
    for ax, (key, values) in zip(axes, parts, strict=True):
        if key == "resid":
            ax.scatter(values.index, values.to_numpy(), s=6, color=PALETTE["history"])
            ax.axhline(0, color="#333333", lw=0.8)
        else:
            ax.plot(values.index, values.to_numpy(), color=PALETTE["history"], lw=1.2)
        ax.set_ylabel(i18n.t("tr_chart_stl_" + key, lang), fontsize=9)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
    axes[0].set_title(i18n.t("tr_chart_stl_title", lang))
    fig.tight_layout()
    return fig


def shares_chart(shares: pd.DataFrame, lang: str):
    """Each breakdown column's share of donations over time."""
    theme()
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for name, part in shares.groupby("breakdown", sort=False):
        ax.plot(pd.DatetimeIndex(part["start"]), part["share"], lw=1.5, label=str(name))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.fmt_pct(v, lang, 0)))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(i18n.t("tr_chart_share", lang))
    ax.set_title(i18n.t("tr_chart_shares_title", lang))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    fig.tight_layout()
    return fig


def regions_chart(regions: pd.DataFrame, period: str, lang: str, measure: str = "donations"):
    """Small multiples: one panel per region, its own vertical scale, incomplete periods left out."""
    theme()
    names = list(dict.fromkeys(regions["region"]))
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.3 * rows + 0.6), sharex=True,
                             squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        part = regions[(regions["region"] == name) & (regions["status"] == "complete")]
        ax.plot(pd.DatetimeIndex(part["start"]), part["donations"].to_numpy(dtype=float, na_value=np.nan),
                color=PALETTE["history"], lw=1)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, lang)))
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    coarse = trends.coarse(period)
    fig.suptitle(i18n.t("tr_chart_regions_title", lang, what=_what(measure, lang),
                        period=i18n.t("tr_period_" + coarse, lang)))
    fig.tight_layout()
    return fig

