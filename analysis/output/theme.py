"""One look for every chart of the workbook: palette, seaborn theme, locale-aware axes."""

from __future__ import annotations

import seaborn as sns
from matplotlib.ticker import FuncFormatter

from analysis.text import i18n

PALETTE = {"history": "#5b7db1", "target": "#c0392b", "projection": "#2e8b57", "grey": "#888888"}


def theme() -> None:
    """One look for every chart of the workbook."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")


def int_axis(ax, lang: str, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: i18n.fmt_int(v, lang))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
