"""The campaign_progress tables as a reader sees them: headers in the report's language,
numbers in its format (whole numbers whole), made only from `Safe` tables and key figures."""

from __future__ import annotations

import pandas as pd

from analysis.model import disclosure
from analysis.text import i18n

SITE_COLUMNS = {  # column -> digits (None: a whole number; "pct": a share; str: the text itself)
    "site": str, "sessions": None, "registered": None, "turns": None, "deferred": None,
    "units": None, "yield": 3, "deferral_rate": "pct", "share_of_units": "pct",
}
FIGURE_COLUMNS = {
    "as_of": "date", "sessions_held": None, "units_to_date": None, "pct_of_target": "pct",
    "units_needed_per_remaining_session": 1, "projected_final_units": None,
    "projected_final_low": None, "projected_final_high": None, "p_target_met": "pct",
    "yield_to_date": 3,
}


def _fmt(value, digits, lang: str) -> str:
    if digits is str:
        return str(value)
    if value is None or pd.isna(value):
        return i18n.t("missing", lang)
    if digits is None:
        return i18n.fmt_int(value, lang)
    if digits == "pct":
        return i18n.fmt_pct(value, lang)
    if digits == "date":
        return i18n.fmt_date(pd.Timestamp(value), lang)
    return i18n.fmt_num(value, lang, digits)


def shown(table: disclosure.Safe, lang: str) -> pd.DataFrame:
    """The per-site table for the reader; a column the sheet does not give at all is left out."""
    frame = disclosure.require(table).frame
    out = pd.DataFrame(index=frame.index)
    for col, digits in SITE_COLUMNS.items():
        if col in frame and frame[col].notna().any():
            out[i18n.t("col_" + col, lang)] = [_fmt(v, digits, lang) for v in frame[col]]
    return out


def key_figures_table(figs: dict, level: float, lang: str) -> pd.DataFrame:
    """The contract's key figures with their labels (the interval's `level` in them), for the reader."""
    level_text = i18n.fmt_pct(level, lang, 0)
    return pd.DataFrame({
        i18n.t("figure", lang): [i18n.t(k, lang, level=level_text) for k in FIGURE_COLUMNS],
        i18n.t("value", lang): [_fmt(figs[k], d, lang) for k, d in FIGURE_COLUMNS.items()],
    })
