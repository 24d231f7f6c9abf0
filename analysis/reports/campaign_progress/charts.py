"""Figures of the campaign-progress report. Each function returns a Figure and never shows it.

Tables come in as `disclosure.Safe` tables (`compute.sessions_table`, `compute.by_site`);
the rest from the key figures, the sheet's details (`compute.details`) and the projection.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from babel.dates import format_date
from matplotlib.ticker import FuncFormatter

from analysis.inputs.published import Campaign
from analysis.model import disclosure
from analysis.output.theme import PALETTE, int_axis, theme
from analysis.reports.campaign_progress.compute import cumulative
from analysis.reports.campaign_progress.projection import Outlook
from analysis.text import i18n


def _date_axis(ax, lang: str) -> None:
    pattern = "dd/MM" if lang == "vi" else "d MMM"
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: format_date(mdates.num2date(v).date(), format=pattern,
                                 locale="vi_VN" if lang == "vi" else "en_GB")))


def cumulative_progress(sessions: disclosure.Safe, plan: Campaign, sheet: dict, figs: dict,
                        outlook: Outlook, lang: str):
    """Cumulative units by date, the target line, as_of, remaining sessions and the projection."""
    rows = disclosure.require(sessions).frame
    held = rows[rows["state"] == "held"]
    as_of = pd.Timestamp(figs["as_of"]) if figs["as_of"] is not None else None
    complete, target_q = sheet["complete"], sheet["target"]
    theme()
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    target = None if target_q is None else target_q.value
    start = plan.start_date if plan.start_date is not None else rows["session_date"].min()
    end = plan.end_date if plan.end_date is not None else rows["session_date"].max()
    top = [target or 0]

    if complete and len(held):
        cum = cumulative(held)
        xs = [start, *cum["session_date"], as_of]
        ys = [0.0, *cum["cumulative_units"], cum["cumulative_units"].iloc[-1]]
        ax.plot(xs, ys, drawstyle="steps-post", color=PALETTE["history"], linewidth=2.2,
                label=i18n.t("pc_collected", lang))
        ax.scatter(cum["session_date"], cum["cumulative_units"], color=PALETTE["history"],
                   zorder=3, s=22)
        top.append(ys[-1])
    elif not complete:
        units = sheet["units"]
        ax.scatter([as_of], [units.value], marker="^", s=90, color=PALETTE["history"], zorder=3,
                   label=i18n.t("pc_lower_bound", lang, n=i18n.fmt_int(units.value, lang)))
        ax.annotate("", xy=(as_of, units.value * 1.12), xytext=(as_of, units.value),
                    arrowprops=dict(arrowstyle="->", color=PALETTE["history"]))
        top.append(units.value * 1.12)
    if plan.units_collected is not None and plan.end_date is not None:
        final = plan.units_collected.value
        ax.scatter([plan.end_date], [final], marker="*", s=220, color=PALETTE["grey"], zorder=3,
                   label=i18n.t("pc_final", lang, n=i18n.fmt_q(plan.units_collected, lang)))
        top.append(final)

    if target is not None:
        ax.axhline(target, color=PALETTE["target"], linestyle="--", linewidth=1.5,
                   label=i18n.t("pc_target", lang, n=i18n.fmt_q(target_q, lang)))
    if as_of is not None:
        ax.axvline(as_of, color=PALETTE["grey"], linestyle=":", linewidth=1.2,
                   label=i18n.t("pc_as_of", lang, date=i18n.fmt_date(as_of, lang)))

    proj = outlook.projection
    if proj is not None and outlook.basis != "done":
        done = figs["units_to_date"]
        ax.fill_between([as_of, end], [done, proj.low], [done, proj.high],
                        color=PALETTE["projection"], alpha=0.18, linewidth=0)
        ax.plot([as_of, end], [done, proj.expected], color=PALETTE["projection"],
                linestyle="--", linewidth=1.5)
        ax.errorbar([end], [proj.expected],
                    yerr=[[proj.expected - proj.low], [proj.high - proj.expected]],
                    fmt="o", color=PALETTE["projection"], capsize=5, zorder=4,
                    label=i18n.t("pc_projection", lang, mid=i18n.fmt_int(proj.expected, lang),
                                 low=i18n.fmt_int(proj.low, lang),
                                 high=i18n.fmt_int(proj.high, lang),
                                 level=i18n.fmt_pct(proj.level, lang, 0)))
        top.append(proj.high)

    ymax = max(top) * 1.12 if max(top) > 0 else 1.0
    # only a complete sheet's later rows are the sessions still to come
    upcoming = (rows.loc[rows["state"].isin(["pending", "future"]), "session_date"]
                if complete else pd.Series([], dtype="datetime64[ns]"))
    n_rem = figs.get("sessions_remaining")
    if len(upcoming):
        ax.scatter(upcoming, [ymax * 0.025] * len(upcoming), marker="v", s=70,
                   facecolors="white", edgecolors=PALETTE["target"], linewidths=1.5, zorder=3,
                   label=i18n.t("pc_remaining", lang, n=i18n.fmt_int(len(upcoming), lang)))
    elif n_rem and complete:
        ax.text(0.99, 0.03, i18n.t("pc_remaining_undated", lang, n=i18n.fmt_int(n_rem, lang)),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                color=PALETTE["target"])

    ax.set_ylim(0, ymax)
    pad = pd.Timedelta(days=max(1, (end - start).days // 25))
    ax.set_xlim(start - pad, end + pad)
    _date_axis(ax, lang)
    int_axis(ax, lang)
    ax.set_ylabel(i18n.t("pc_units", lang))
    ax.set_title(i18n.t("pc_cumulative_title", lang))
    ax.legend(loc="upper left", fontsize=8.5, framealpha=0.92)
    fig.autofmt_xdate(rotation=0, ha="center")
    fig.tight_layout()
    return fig


def site_units(sites: disclosure.Safe, lang: str):
    """Units by site (registered behind, when the sheet gives it), yield written on each bar."""
    theme()
    table = disclosure.require(sites).frame.sort_values("units")
    fig, ax = plt.subplots(figsize=(8.5, max(2.6, 1.2 + 0.42 * len(table))))
    y = np.arange(len(table))
    units = table["units"].astype(float).to_numpy()
    has_reg = "registered" in table and table["registered"].notna().all()
    if has_reg:
        ax.barh(y, table["registered"].astype(float), color="#d5dced", height=0.75,
                label=i18n.t("pc_registered", lang))
    ax.barh(y, units, color=PALETTE["history"], height=0.5, label=i18n.t("pc_units", lang))
    right = float(np.nanmax(table["registered"].astype(float))) if has_reg else units.max()
    yields = table["yield"] if "yield" in table else pd.Series(np.nan, index=table.index)
    for yi, n, yl in zip(y, units, yields, strict=True):
        note = i18n.fmt_int(n, lang)
        if not pd.isna(yl):
            note = i18n.t("pc_yield_note", lang, units=note, yield_=i18n.fmt_num(yl, lang, 2))
        ax.text(right * 1.01, yi, note, va="center", fontsize=9)
    ax.set_yticks(y, table["site"])
    ax.set_xlim(0, right * 1.32)
    int_axis(ax, lang, "x")
    ax.set_xlabel(i18n.t("pc_sites_x" if has_reg else "pc_units", lang))
    ax.set_title(i18n.t("pc_sites_title", lang), pad=26)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def session_units(sessions: disclosure.Safe, figs: dict, lang: str):
    """Units of each held session in date order, then the level each remaining one must reach."""
    theme()
    rows = disclosure.require(sessions).frame
    held = rows[rows["state"] == "held"]
    n_rem = figs.get("sessions_remaining") or 0
    needed = figs.get("units_needed_per_remaining_session")
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    x = np.arange(len(held))
    ax.bar(x, held["units"].astype(float), color=PALETTE["history"], width=0.7,
           label=i18n.t("pc_held", lang))
    labels = [i18n.fmt_date(d, lang).rsplit("/", 1)[0] if lang == "vi"
              else format_date(d.date(), format="d MMM", locale="en_GB")
              for d in held["session_date"]]
    mean = float(held["units"].astype(float).mean())
    ax.axhline(mean, color=PALETTE["grey"], linestyle=":",
               label=i18n.t("pc_mean_held", lang, n=i18n.fmt_num(mean, lang, 1)))
    if n_rem and needed is not None:
        xr = np.arange(len(held), len(held) + n_rem)
        ax.bar(xr, [needed] * n_rem, width=0.7, facecolor="white", edgecolor=PALETTE["target"],
               hatch="//", linewidth=1.2,
               label=i18n.t("pc_needed", lang, n=i18n.fmt_num(needed, lang, 1)))
        labels += [i18n.t("pc_remaining_x", lang, i=i + 1) for i in range(n_rem)]
        x = np.concatenate([x, xr])
    ax.set_xticks(x, labels, rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center",
                  fontsize=9)
    int_axis(ax, lang)
    ax.set_ylabel(i18n.t("pc_units", lang))
    ax.set_title(i18n.t("pc_sessions_title", lang), pad=40)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=9, frameon=False)
    ax.set_ylim(0, max(held["units"].astype(float).max(), needed or 0) * 1.25)
    fig.tight_layout()
    return fig
