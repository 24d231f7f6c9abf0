"""Figures of the donor_pool report. Each function takes `Safe` tables and returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter, DayLocator
from matplotlib.ticker import MaxNLocator

from analysis.model import disclosure
from analysis.output.theme import PALETTE, int_axis, theme
from analysis.reports.donor_pool.compute import group_label
from analysis.text import i18n

STATUS_COLORS = {"eligible_active": PALETTE["projection"], "waiting": "#e0a030", "lapsed": "#b0b0b0"}


def _values(column: pd.Series) -> np.ndarray:
    return column.astype("Float64").fillna(0).to_numpy(dtype=float)


def _bars(labels: list[str], layers: list[tuple[np.ndarray, object, str | None]], texts: list[str],
          title: str, lang: str, height: float):
    """Horizontal bars, one row per label; `layers` (values, colour, legend label) drawn over each
    other, the first the longest; `texts` written at the end of each row."""
    theme()
    fig, ax = plt.subplots(figsize=(8.5, height))
    y = np.arange(len(labels))
    for values, color, label in layers:
        ax.barh(y, values, color=color, height=0.65, label=label)
    top = max(layers[0][0].max(), 1)
    for i, text in enumerate(texts):
        ax.text(layers[0][0][i] + top * 0.01, i, text, va="center", fontsize=9.5)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel(i18n.t("pool_chart_donors", lang))
    ax.set_title(title)
    int_axis(ax, lang, "x")
    if any(label for _, _, label in layers):
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncol=2, frameon=False, fontsize=9)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    else:
        fig.tight_layout()
    return fig


def _shown(value, mark: str, lang: str) -> str:
    return mark if pd.isna(value) else i18n.fmt_int(value, lang)


def status_chart(table: disclosure.Safe, as_of: pd.Timestamp, lang: str):
    """The pool by status on `as_of`, with counts and shares; hidden cells marked, not drawn as 0."""
    status, min_cell = disclosure.require(table).frame, table.min_cell
    texts = [disclosure.marker(r.complementary, min_cell) if r.suppressed
             else f"{i18n.fmt_int(r.donors, lang)} ({i18n.fmt_pct(r.share, lang)})"
             for r in status.itertuples()]
    colors = [STATUS_COLORS[s] for s in status["status"]]
    return _bars([i18n.t("pool_status_" + s, lang) for s in status["status"]],
                 [(_values(status["donors"]), colors, None)], texts,
                 i18n.t("pool_chart_status_title", lang, date=i18n.fmt_date(as_of, lang)), lang, 3.0)


def site_chart(table: disclosure.Safe, lang: str):
    """Per site: the pool, and those of it eligible and active; hidden cells marked, not drawn as 0."""
    sites, min_cell = disclosure.require(table).frame, table.min_cell
    texts = [f"{_shown(r.eligible_active_donors, disclosure.marker(r.complementary, min_cell), lang)} / "
             f"{_shown(r.pool_donors, disclosure.marker(r.complementary, min_cell), lang)}"
             for r in sites.itertuples()]
    layers = [(_values(sites["pool_donors"]), "#c9d6ea", i18n.t("pool_col_pool_donors", lang)),
              (_values(sites["eligible_active_donors"]), PALETTE["projection"],
               i18n.t("pool_col_eligible_active_donors", lang))]
    return _bars([group_label(g, lang) for g in sites["group"]], layers, texts,
                 i18n.t("pool_chart_site_title", lang), lang, max(3.0, 0.42 * len(sites) + 1.4))


def wait_chart(by_day: disclosure.Safe, phases: disclosure.Safe, start: pd.Timestamp, lang: str):
    """Bars by day: donors whose wait ends on each day of the window after its first; the donors
    already past it on the first day in a note."""
    days, min_cell = disclosure.require(by_day).frame, by_day.min_cell
    first = disclosure.require(phases).frame.set_index("phase").loc["eligible_at_start"]
    theme()
    fig, ax = plt.subplots(figsize=(9.5, 4.0))
    dates = pd.to_datetime(days["date"])
    values = _values(days["donors"])
    ax.bar(dates, values, color=PALETTE["history"], width=0.8)
    top = max(values.max(), 1)
    hidden = days["suppressed"].to_numpy(dtype=bool) if "suppressed" in days else np.zeros(len(days), bool)
    if hidden.any():  # a hidden day is marked at the foot of the chart, never drawn as 0
        ax.bar(dates[hidden], np.full(hidden.sum(), top * 0.04), color="#d0d0d0", width=0.8, hatch="///",
               edgecolor="#888888", linewidth=0,
               label=i18n.t("pool_chart_hidden", lang, min_cell=min_cell))
        ax.legend(loc="upper right", fontsize=9)
    ax.set_ylim(0, top * 1.2)
    if len(dates):
        ax.set_xlim(dates.iloc[0] - pd.Timedelta(hours=14), dates.iloc[-1] + pd.Timedelta(hours=14))
    ax.xaxis.set_major_locator(DayLocator(interval=max(1, -(-len(days) // 12))))
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m" if lang == "vi" else "%d %b"))
    ax.set_xlabel(i18n.t("pool_chart_wait_x", lang))
    ax.set_ylabel(i18n.t("pool_chart_wait_y", lang))
    ax.set_title(i18n.t("pool_chart_wait_title", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    int_axis(ax, lang)
    shown = (disclosure.marker(bool(first["complementary"]), min_cell) if first["suppressed"]
             else i18n.fmt_int(first["donors"], lang))
    ax.text(0.01, 0.95, i18n.t("pool_chart_wait_at_start", lang, date=i18n.fmt_date(start, lang), n=shown),
            transform=ax.transAxes, va="top", fontsize=9, color="#333333")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
