"""Figures of the core report. Each function returns a matplotlib Figure and never shows it.

Tables come in as `disclosure.Safe` tables (the door every table of a report passes).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter
from scipy import stats

from analysis.model import disclosure
from analysis.model.scenario import YieldModel, registrations_needed
from analysis.output.theme import PALETTE, int_axis, theme
from analysis.text import i18n


def cumulative_with_target(history: disclosure.Safe, target: int, year: int, lang: str):
    """Bars of the published cumulative units, the campaign target stacked on the latest."""
    totals = disclosure.require(history).frame
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    labels = [i18n.t("chart_before", lang, date=_snapshot_label(r, lang)) for r in totals.itertuples()]
    x = np.arange(len(totals))
    units = totals["units"].astype(float).to_numpy()
    ax.bar(x, units, color=PALETTE["history"], width=0.6)
    ax.bar(
        x[-1],
        target,
        bottom=units[-1],
        color=PALETTE["target"],
        width=0.6,
        label=i18n.t("chart_target", lang, year=year),
    )
    for xi, u in zip(x, units, strict=True):
        ax.text(xi, u / 2, i18n.fmt_int(u, lang), ha="center", va="center", color="white", fontweight="bold")
    ax.text(
        x[-1],
        units[-1] + target / 2,
        "+" + i18n.fmt_int(target, lang),
        ha="center",
        va="center",
        color="white",
        fontweight="bold",
    )
    ax.set_xticks(x, labels)
    ax.set_ylabel(i18n.t("chart_cumulative_y", lang))
    ax.set_title(i18n.t("chart_cumulative_title", lang, year=year))
    int_axis(ax, lang)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _snapshot_label(row, lang: str) -> str:
    if getattr(row, "as_of_precision", "day") == "year":
        return str(row.as_of.year)
    return i18n.fmt_date(row.as_of, lang)


def yield_comparison(hist_yield: float, required: float, sessions: disclosure.Safe, year: int, lang: str):
    """The yield the target requires against the historical yield and real sessions."""
    session_yields = disclosure.require(sessions).frame["yield"].astype(float)
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    rows = [
        i18n.t("chart_sessions", lang),
        i18n.t("chart_historical", lang),
        i18n.t("chart_required", lang, year=year),
    ]
    values = [hist_yield, required]
    ax.barh([1, 2], values, color=[PALETTE["history"], PALETTE["target"]], height=0.55)
    for i, v in enumerate(values, start=1):
        ax.text(v + 0.01, i, i18n.fmt_num(v, lang, 3), va="center")
    ax.scatter(session_yields, [0] * len(session_yields), color="black", s=40, zorder=3)
    ax.set_yticks(range(3), rows)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel(i18n.t("chart_yield_x", lang))
    ax.set_title(i18n.t("chart_yield_title", lang))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.fmt_num(v, lang, 1)))
    fig.tight_layout()
    return fig


def projection_density(
    model: YieldModel, presenting: float, target: float, low: float, high: float, level: float, lang: str
):
    """The projected total's distribution, its `level` interval shaded, the target marked."""
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    mean, sd = presenting * model.mean, presenting * model.sd
    level_text = i18n.fmt_pct(level, lang, 0)
    xs = np.linspace(mean - 4 * sd, mean + 4 * sd, 400)
    ys = stats.norm.pdf(xs, mean, sd)
    ax.plot(xs, ys, color=PALETTE["projection"])
    band = (xs >= low) & (xs <= high)
    ax.fill_between(
        xs[band],
        ys[band],
        color=PALETTE["projection"],
        alpha=0.25,
        label=f"{i18n.t('chart_interval', lang, level=level_text)}: "
              f"{i18n.fmt_int(low, lang)}–{i18n.fmt_int(high, lang)}",
    )
    ax.axvline(
        target,
        color=PALETTE["target"],
        linestyle="--",
        label=f"{i18n.t('campaign_target_units', lang)}: {i18n.fmt_int(target, lang)}",
    )
    ax.set_yticks([])
    ax.set_xlabel(i18n.t("chart_units", lang))
    ax.set_ylabel(i18n.t("chart_density", lang))
    ax.set_title(i18n.t("chart_projection_title", lang, level=level_text))
    int_axis(ax, lang, "x")
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return fig


def planning_curve(model: YieldModel, target: float, show_rate: float, registered: float, lang: str):
    """Registrations needed against the confidence of meeting the target."""
    theme()
    fig, ax = plt.subplots(figsize=(7.5, 4))
    conf = np.linspace(0.5, 0.99, 50)
    need = [registrations_needed(model, target, c, show_rate) for c in conf]
    ax.plot(conf, need, color=PALETTE["history"])
    ax.axhline(
        registered,
        color=PALETTE["grey"],
        linestyle=":",
        label=f"{i18n.t('chart_registered_now', lang)}: {i18n.fmt_int(registered, lang)}",
    )
    ax.set_xlabel(i18n.t("chart_confidence", lang))
    ax.set_ylabel(i18n.t("chart_registrations", lang))
    ax.set_title(i18n.t("chart_planning_title", lang))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.fmt_pct(v, lang, 0)))
    int_axis(ax, lang)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig
