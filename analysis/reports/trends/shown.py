"""Tables as a reader sees them: headers in the report's language, numbers formatted, long
tables cut to their head and tail (the whole table stays in tables/<name>.csv)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.model import disclosure
from analysis.reports.trends import periods
from analysis.text import i18n

LIMIT = 25  # a table longer than this shows its head and tail only
KEEP = 10  # rows kept at each end of a cut table


@dataclass(frozen=True)
class Shown:
    """A table made for the reader: `frame` to show, `rows` in the whole table, its file `name`."""

    frame: pd.DataFrame
    rows: int
    name: str

    @property
    def cut(self) -> bool:
        return self.rows > len(self.frame)


def readable(name: str) -> str:
    """A column name as a label: "new_donors" → "New donors"."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def head_tail(frame: pd.DataFrame, limit: int = LIMIT, keep: int = KEEP) -> pd.DataFrame:
    """`frame` itself up to `limit` rows; else its first and last `keep` rows around a "…" row."""
    if len(frame) <= limit:
        return frame.reset_index(drop=True)
    gap = pd.DataFrame([["…"] * frame.shape[1]], columns=frame.columns)
    return pd.concat([frame.head(keep), gap, frame.tail(keep)], ignore_index=True)


def by_period(table: disclosure.Safe, period: str, lang: str, name: str = "by_period") -> Shown:
    """The period table in the reader's language: labels, qualified counts, status, averages."""
    frame = disclosure.require(table).frame
    quals = frame["qualifier"] if "qualifier" in frame else pd.Series("exact", index=frame.index)
    out = pd.DataFrame({
        i18n.t("tr_col_period", lang): [periods.display_label(s, period, lang) for s in frame["start"]],
        i18n.t("tr_col_donations", lang): [
            i18n.t("tr_no_figure", lang) if pd.isna(v) else i18n.fmt_qualified(i18n.fmt_int(v, lang), q, lang)
            for v, q in zip(frame["donations"], quals, strict=True)
        ],
        i18n.t("tr_col_status", lang): [i18n.t("tr_status_" + s, lang) for s in frame["status"]],
        i18n.t("tr_col_moving_average", lang): [
            "" if pd.isna(v) else i18n.fmt_int(v, lang) for v in frame["moving_average"]],
        i18n.t("tr_col_yoy", lang): [
            "" if pd.isna(v) else i18n.fmt_pct(v, lang) for v in frame["yoy_change"]],
    })
    return Shown(head_tail(out), len(out), name)
