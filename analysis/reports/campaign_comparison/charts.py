"""Figures of the campaign_comparison report. Each function returns a matplotlib Figure.

The editions table counts no people (units, targets), so it is drawn as it is;
a missing figure gets no bar and a word saying it is missing, never a bar of 0.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.model import disclosure
from analysis.output.theme import PALETTE, int_axis, theme
from analysis.text import i18n

WIDTH = 0.38
TARGET_FILL = "#f2c4bf"


def _label(value, qualifier, lang: str) -> str:
    return i18n.fmt_qualified(i18n.fmt_int(value, lang), qualifier or "exact", lang)


def _bars(ax, x, values: pd.Series, qualifiers: pd.Series, missing: str, top: float, lang: str,
          **style) -> None:
    """One bar per edition with its qualified value on top; a missing one gets words, not a bar."""
    for xi, value, q in zip(x, values.to_numpy(dtype=float, na_value=np.nan), qualifiers, strict=True):
        if np.isnan(value):
            ax.text(xi, top * 0.02, i18n.t(missing, lang), rotation=90, ha="center", va="bottom",
                    fontsize=9, color="#555555")
            continue
        ax.bar(xi, value, WIDTH, hatch="//" if q == "about" else None, **style)
        ax.text(xi, value + top * 0.01, _label(value, q, lang), ha="center", va="bottom", fontsize=8.5)


def target_and_result(table: disclosure.Safe, lang: str):
    """Per edition: the target beside the units collected, both with their qualifier."""
    editions = disclosure.require(table).frame
    theme()
    fig, ax = plt.subplots(figsize=(max(7.0, 1.6 * len(editions) + 2.5), 4.6))
    x = np.arange(len(editions))
    numbers = editions[["target_units", "units_collected"]].astype("Float64").to_numpy(dtype=float,
                                                                                        na_value=np.nan)
    top = float(np.nanmax(np.r_[numbers.ravel(), 1.0]))
    _bars(ax, x - WIDTH / 2, editions["target_units"], editions["target_units_qualifier"],
          "cmp_chart_no_target", top, lang, color=TARGET_FILL, edgecolor=PALETTE["target"])
    _bars(ax, x + WIDTH / 2, editions["units_collected"], editions["units_collected_qualifier"],
          "cmp_chart_no_result", top, lang, color=PALETTE["projection"])
    names = [n if isinstance(n, str) and n else c
             for n, c in zip(editions["name"], editions["campaign_id"], strict=True)]
    ax.set_xticks(x, ["\n".join(n.rsplit(" ", 1)) for n in names], fontsize=9)  # the year on its own line
    ax.set_ylim(0, top * 1.15)
    ax.set_xlim(-0.6, len(editions) - 0.4)
    ax.set_ylabel(i18n.t("cmp_chart_units_y", lang))
    ax.set_title(i18n.t("cmp_chart_title", lang))
    int_axis(ax, lang)
    handles = [
        Patch(facecolor=TARGET_FILL, edgecolor=PALETTE["target"], label=i18n.t("cmp_chart_target", lang)),
        Patch(facecolor=PALETTE["projection"], label=i18n.t("cmp_chart_units", lang)),
        Patch(facecolor="white", edgecolor="#555555", hatch="//", label=i18n.t("cmp_chart_about", lang)),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def has_any(table: disclosure.Safe) -> bool:
    """Whether any edition has a target or a result to draw."""
    frame = disclosure.require(table).frame
    return bool(pd.concat([frame["target_units"], frame["units_collected"]]).notna().any())
