"""Figures of the donor_retention report. Each function returns a matplotlib Figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.ticker import FuncFormatter

from analysis.model import disclosure
from analysis.output.theme import PALETTE, int_axis, theme
from analysis.reports.donor_retention import compute as retention
from analysis.text import i18n

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

STATUS_COLORS = {"new": "#2e8b57", "regular": "#5b7db1", "lapsed": "#b0b0b0"}
GAP_DAYS_SHOWN = 3 * 365


def _pct_axis(ax, lang: str, axis: str = "y", digits: int = 0) -> None:
    fmt = FuncFormatter(lambda v, _: i18n.fmt_pct(v, lang, digits))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def frequency_chart(table: disclosure.Safe, share_10_plus: float, lang: str):
    """Bars of donors by number of donations; 10+ classes highlighted, hidden cells marked."""
    freq, min_cell = disclosure.require(table).frame, table.min_cell
    theme()
    fig, ax = plt.subplots(figsize=(9.5, 4.2))
    x = np.arange(len(freq))
    values = freq["donors"].astype("Float64").fillna(0).to_numpy(dtype=float)
    colors = np.where(freq["ten_plus"], PALETTE["target"], PALETTE["history"])
    ax.bar(x, values, color=colors, width=0.75)
    for xi, row in enumerate(freq.itertuples()):
        hidden = disclosure.marker(row.complementary, min_cell)
        label = hidden if row.suppressed else i18n.fmt_int(values[xi], lang)
        ax.text(xi, values[xi], label, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, freq["donations"], fontsize=9)
    ax.set_xlabel(i18n.t("ret_chart_freq_x", lang))
    ax.set_ylabel(i18n.t("ret_chart_donors", lang))
    ax.set_title(i18n.t("ret_chart_freq_title", lang))
    int_axis(ax, lang)
    ax.text(0.98, 0.92, i18n.t("ret_chart_ten_plus", lang, share=i18n.fmt_pct(share_10_plus, lang)),
            transform=ax.transAxes, ha="right", color=PALETTE["target"], fontweight="bold")
    fig.tight_layout()
    return fig


def status_chart(table: disclosure.Safe, end: pd.Timestamp, lang: str):
    """Horizontal bars: new, regular and lapsed donors at the end of the data."""
    status, min_cell = disclosure.require(table).frame, table.min_cell
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    labels = [i18n.t("ret_status_" + s, lang) for s in status["status"]]
    values = status["donors"].astype("Float64").fillna(0).to_numpy(dtype=float)
    ax.barh(labels, values, color=[STATUS_COLORS[s] for s in status["status"]], height=0.6)
    top = max(values.max(), 1)
    for i, row in enumerate(status.itertuples()):
        text = (disclosure.marker(row.complementary, min_cell) if row.suppressed
                else f"{i18n.fmt_int(row.donors, lang)} ({i18n.fmt_pct(row.share, lang)})")
        ax.text(values[i] + top * 0.01, i, text, va="center")
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.25)
    ax.set_xlabel(i18n.t("ret_chart_donors", lang))
    ax.set_title(i18n.t("ret_chart_status_title", lang, end=i18n.fmt_date(end, lang)))
    int_axis(ax, lang, "x")
    fig.tight_layout()
    return fig


def cohort_heatmap(table: disclosure.Safe, lang: str):
    """Cohort × years-after heatmap of retention rates, from the published (suppressed) table."""
    published, min_cell = disclosure.require(table).frame, table.min_cell
    theme()
    if published.empty:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, i18n.t("missing", lang), ha="center")
        return fig
    rates = published.pivot(index="cohort_year", columns="years_after", values="retention_rate")
    rates = rates.astype(float)
    flags = published.assign(hidden=published["suppressed"].astype(float),
                             partial=published["partial_year"].astype(float))
    hidden = flags.pivot(index="cohort_year", columns="years_after", values="hidden").fillna(0) > 0
    marker = published.assign(marker=[disclosure.marker(c, min_cell) for c in published["complementary"]]
                              ).pivot(index="cohort_year", columns="years_after", values="marker")
    partial = flags.pivot(index="cohort_year", columns="years_after", values="partial").fillna(0) > 0
    n_rows, n_cols = rates.shape
    fig, ax = plt.subplots(figsize=(max(7.5, 0.75 * n_cols + 3), max(3.5, 0.45 * n_rows + 1.6)))
    masked = np.ma.masked_invalid(rates.to_numpy())
    vmax = max(float(np.nanmax(rates.to_numpy())) if np.isfinite(rates.to_numpy()).any() else 0.1, 0.05)
    mesh = ax.pcolormesh(masked, cmap="Blues", vmin=0, vmax=vmax, edgecolors="white", linewidth=1)
    grey = np.ma.masked_where(~hidden.to_numpy(), np.ones(rates.shape))
    ax.pcolormesh(grey, cmap=ListedColormap(["#d0d0d0"]), edgecolors="white", linewidth=1)
    for i in range(n_rows):
        for j in range(n_cols):
            v = rates.iat[i, j]
            if hidden.iat[i, j]:
                text, color = marker.iat[i, j], "#333333"
            elif pd.isna(v):
                continue
            else:
                text = i18n.fmt_pct(v, lang, 0) + ("*" if partial.iat[i, j] else "")
                color = "white" if v > vmax * 0.6 else "#1a1a1a"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8.5, color=color)
    ax.set_xticks(np.arange(n_cols) + 0.5, [str(c) for c in rates.columns])
    sizes = published.groupby("cohort_year", sort=True)["cohort_donors"].first()
    small = published.groupby("cohort_year", sort=True)["complementary"].all()
    shown = {y: disclosure.marker(small[y], min_cell) if pd.isna(n) else i18n.fmt_int(n, lang)
             for y, n in sizes.items()}
    ylabels = [f"{y} ({shown[y]})" for y in rates.index]
    ax.set_yticks(np.arange(n_rows) + 0.5, ylabels)
    ax.invert_yaxis()
    ax.grid(False)
    ax.set_xlabel(i18n.t("ret_chart_cohort_x", lang))
    ax.set_ylabel(i18n.t("ret_chart_cohort_y", lang))
    ax.set_title(i18n.t("ret_chart_cohort_title", lang))
    bar = fig.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.fmt_pct(v, lang, 0)))
    fig.text(0.01, 0.01, i18n.t("ret_chart_cohort_note", lang, min_cell=min_cell), fontsize=8,
             color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def return_curve_chart(km: KaplanMeierFitter, r12: float, r24: float, lang: str):
    """1 − Kaplan–Meier survival: the chance of a second donation by day t, with its band."""
    theme()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    sf = km.survival_function_
    ci = km.confidence_interval_survival_function_
    t = sf.index.to_numpy(dtype=float)
    ax.step(t, 1 - sf.iloc[:, 0].to_numpy(), where="post", color=PALETTE["history"], lw=2)
    ax.fill_between(t, 1 - ci.iloc[:, 0].to_numpy(), 1 - ci.iloc[:, 1].to_numpy(), step="post",
                    color=PALETTE["history"], alpha=0.2, label=i18n.t("ret_chart_km_ci", lang))
    for days, p, months in ((365, r12, 12), (730, r24, 24)):
        if p is None:
            continue
        ax.axvline(days, color=PALETTE["grey"], ls=":", lw=1)
        ax.plot([days], [p], "o", color=PALETTE["target"])
        ax.annotate(i18n.t("ret_chart_km_at", lang, months=months, p=i18n.fmt_pct(p, lang)),
                    (days, p), xytext=(8, -14), textcoords="offset points", color=PALETTE["target"],
                    fontweight="bold")
    ax.set_xlim(0, min(float(t.max()) if t.size else 1, 6 * 365) or 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(i18n.t("ret_chart_km_x", lang))
    ax.set_ylabel(i18n.t("ret_chart_km_y", lang))
    ax.set_title(i18n.t("ret_chart_km_title", lang))
    int_axis(ax, lang, "x")
    _pct_axis(ax, lang)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def gap_histogram(gaps: np.ndarray, min_interval_days: int, share_under: float | None, lang: str):
    """Histogram of days between consecutive donations, the legal minimum marked.

    `gaps[d]` is the number of returns d days after the previous donation
    (`compute.donation_gaps`): the chart is drawn from those counts."""
    theme()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    gaps = np.asarray(gaps)
    days = np.arange(min(gaps.size, GAP_DAYS_SHOWN + 1))
    shown = gaps[:days.size]
    bins = np.arange(0, GAP_DAYS_SHOWN + 14, 14)
    under = days < min_interval_days
    ax.hist(days[~under], bins=bins, weights=shown[~under], color=PALETTE["history"])
    ax.hist(days[under], bins=bins, weights=shown[under], color=PALETTE["target"])
    ax.axvline(min_interval_days, color=PALETTE["target"], ls="--", lw=1.5,
               label=i18n.t("ret_chart_gap_min", lang, days=min_interval_days,
                            share=i18n.fmt_pct(share_under, lang)))
    more = int(gaps[GAP_DAYS_SHOWN + 1:].sum())
    if more:
        ax.text(0.98, 0.80, i18n.t("ret_chart_gap_more", lang, n=i18n.fmt_int(more, lang)),
                transform=ax.transAxes, ha="right", fontsize=9, color="#555555")
    ax.set_xlim(0, GAP_DAYS_SHOWN)
    ax.set_xlabel(i18n.t("ret_chart_gap_x", lang))
    ax.set_ylabel(i18n.t("ret_chart_gap_y", lang))
    ax.set_title(i18n.t("ret_chart_gap_title", lang))
    int_axis(ax, lang)
    int_axis(ax, lang, "x")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def groups_chart(by_sex: disclosure.Safe, by_age: disclosure.Safe, lang: str):
    """Repeat-donor share and deferral rate side by side, by sex and by age band."""
    by_sex, by_age = disclosure.require(by_sex).frame, disclosure.require(by_age).frame
    theme()
    panels = [(t, k) for t, k in ((by_sex, "ret_chart_sex"), (by_age, "ret_chart_age")) if len(t)]
    widths = [max(len(t), 2) for t, _ in panels] or [1]
    fig, axes = plt.subplots(1, max(len(panels), 1), figsize=(9, 4), squeeze=False,
                             gridspec_kw={"width_ratios": widths}, sharey=True)
    for ax, (table, key) in zip(axes[0], panels, strict=False):
        t = table[~table["group"].isin(["other", "unknown"])]  # bars for the named groups only
        x = np.arange(len(t))
        labels = [retention.group_label(g, lang) for g in t["group"]]
        # a hidden (suppressed) group gets no bar rather than a zero
        rep = t["repeat_donor_share"].to_numpy(dtype=float, na_value=np.nan)
        dfr = t["deferral_rate"].to_numpy(dtype=float, na_value=np.nan)
        ax.bar(x - 0.2, rep, width=0.4, color=PALETTE["history"],
               label=i18n.t("ret_col_repeat_donor_share", lang))
        ax.bar(x + 0.2, dfr, width=0.4, color=PALETTE["target"],
               label=i18n.t("ret_col_deferral_rate", lang))
        ax.set_xticks(x, labels)
        ax.set_xlabel(i18n.t(key, lang))
        _pct_axis(ax, lang)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.suptitle(i18n.t("ret_chart_groups_title", lang))
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
