"""What each section of the trends report says: small contexts for its templates.

Every context is built from the key figures and from `disclosure.Safe`
tables, never from a raw frame. Periods reach a template as the labels a
reader sees ("Aug 2023", "Quý 3/2023"), counts as `Qualified` numbers (the
`q` filter writes "about 1,000,000"), rates as numbers with their qualifier
beside them. Which branch a sentence takes is decided here, in plain values
(`lead_recent`, `scope`), so a test can assert it.
"""

from __future__ import annotations

import pandas as pd
from babel.dates import get_month_names

from analysis.model import disclosure
from analysis.qualified import Qualified
from analysis.reports.trends import growth as growth_rules
from analysis.reports.trends import periods
from analysis.reports.trends.regions import Selection
from analysis.reports.trends.shown import KEEP, Shown, readable
from analysis.text import i18n

DISAGREE = 0.02  # the two growth rates disagree when their signs differ or they are 2 points apart
LISTED = 12  # periods named in a sentence before "and N more"


def measure(raw: pd.DataFrame, measure_label: str | None, lang: str) -> str:
    """What the series counts, as readers read it: the `measure_label` parameter, else the
    file's own header of the counted column, else the catalogue's word (units, donations)."""
    if measure_label and str(measure_label).strip():
        return str(measure_label).strip()
    named = raw.attrs.get("measure_name")
    if named:
        return str(named).replace("_", " ")
    return i18n.t("tr_measure_" + raw.attrs.get("measure", "donations"), lang)


def title(what: str) -> dict:
    return {"what": what}


def key_findings(figs: dict, table: disclosure.Safe, changes: disclosure.Safe, what: str,
                 period: str, lang: str) -> dict:
    """Total and span, the growth rates (the recent one first when they disagree), peak
    and trough, partial periods, the busiest and quietest month."""
    rows = _rows(table)
    return {
        "what": what, "period": period, **_span(figs, rows, period, lang), **_rates(figs, changes),
        **_extremes(figs, rows, period, lang),
        "partial": _some(_labels(rows, "partial", period, lang)),
        **_seasons(figs, lang),
    }


def overview(figs: dict, table: disclosure.Safe, selection: Selection, what: str, period: str,
             lang: str) -> dict:
    """Span, total, what the region choice did, and the periods without a full figure."""
    rows = _rows(table)
    grain = figs["data_grain"]
    late = selection.region is not None and selection.start > selection.file_start
    if selection.region is not None:
        scope = "region"
    elif selection.total_region is not None:
        scope = "total"
    else:
        scope = "sum" if selection.regions else "none"
    return {
        "what": what, "period": period, **_span(figs, rows, period, lang), "scope": scope,
        "region": selection.region, "total_region": selection.total_region,
        "regions": len(selection.regions),
        "only_region": selection.regions[0] if len(selection.regions) == 1 else None,
        "region_start": periods.display_label(selection.start, grain, lang) if late else None,
        "missing": _some(_labels(rows, "missing", period, lang)),
        "partial": _some(_labels(rows, "partial", period, lang)),
        "qualified": "qualifier" in rows,
    }


def growth(figs: dict, table: disclosure.Safe, changes: disclosure.Safe, what: str, period: str,
           lang: str) -> dict:
    """The growth rates, whether the yearly-change chart has anything to draw, peak and trough."""
    frame = disclosure.require(changes).frame
    return {"what": what, "period": period, **_rates(figs, changes),
            "complete_years": len(frame), "has_changes": bool(frame["annual_change"].notna().any()),
            **_extremes(figs, _rows(table), period, lang)}


def season(figs: dict, lang: str) -> dict:
    return {"amplitude": figs["seasonal_amplitude"], **_seasons(figs, lang)}


def breakdown(shares: disclosure.Safe) -> dict:
    frame = disclosure.require(shares).frame
    return {"parts": [readable(n) for n in dict.fromkeys(frame["breakdown"])]}


def regions(selection: Selection, starts: disclosure.Safe, period: str, grain: str, lang: str) -> dict:
    """How many regions, whether a total row was found, when late regions start reporting."""
    frame = disclosure.require(starts).frame
    late = frame[frame["late"].astype(bool) & frame["first_date"].notna()]
    never = frame.loc[frame["first_date"].isna(), "region"].tolist()
    reporting = len(frame) - len(never)
    return {
        "regions": len(frame), "only_region": frame["region"].iloc[0] if len(frame) == 1 else None,
        "total_region": selection.total_region, "period": periods.coarse(period),
        "late": [{"region": r.region, "start": periods.display_label(r.first_date, grain, lang)}
                 for r in late.itertuples()],
        "never": never, "drawn": reporting >= 2,
    }


def table_cut(rows: Shown) -> dict:
    """The line under a table cut to its head and tail: how many rows, where the whole table is."""
    return {"rows": rows.rows, "head": KEEP, "tail": KEEP, "path": f"tables/{rows.name}.csv"}


# --------------------------------------------------------------------------- shared pieces


def _rows(table: disclosure.Safe) -> pd.DataFrame:
    return disclosure.require(table).frame


def _label(rows: pd.DataFrame, name: str | None, period: str, lang: str) -> str | None:
    if name is None:
        return None
    start = rows.loc[rows["period"] == name, "start"].iloc[0]
    return periods.display_label(start, period, lang)


def _labels(rows: pd.DataFrame, status: str, period: str, lang: str) -> list[str]:
    return [periods.display_label(s, period, lang) for s in rows.loc[rows["status"] == status, "start"]]


def _some(items: list[str]) -> dict:
    """A list named in a sentence: its first LISTED items, how many more, how many in all."""
    return {"items": items[:LISTED], "more": max(0, len(items) - LISTED), "n": len(items)}


def _qualifier(rows: pd.DataFrame, name: str | None) -> str:
    if name is None or "qualifier" not in rows:
        return "exact"
    found = rows.loc[rows["period"] == name, "qualifier"].iloc[0]
    return found if isinstance(found, str) else "exact"


def _span(figs: dict, rows: pd.DataFrame, period: str, lang: str) -> dict:
    return {
        "start": _label(rows, figs["period_start"], period, lang),
        "end": _label(rows, figs["period_end"], period, lang),
        "periods": figs["periods"], "with_data": figs["periods_with_data"],
        "total": Qualified(figs["total_donations"], figs["total_qualifier"]),
    }


def _extremes(figs: dict, rows: pd.DataFrame, period: str, lang: str) -> dict:
    if figs["peak_period"] is None:
        return {"peak": None, "trough": None, "peak_value": None, "trough_value": None}
    return {
        "peak": _label(rows, figs["peak_period"], period, lang),
        "trough": _label(rows, figs["trough_period"], period, lang),
        "peak_value": Qualified(figs["peak_donations"], _qualifier(rows, figs["peak_period"])),
        "trough_value": Qualified(figs["trough_donations"], _qualifier(rows, figs["trough_period"])),
    }


def _rates(figs: dict, changes: disclosure.Safe) -> dict:
    """Both growth rates with their years and qualifiers; `lead_recent` when they disagree."""
    years = disclosure.require(changes).frame
    rate, recent = figs["growth_rate"], figs["growth_rate_recent"]
    recent_q = growth_rules.recent_growth(years)[1] if recent is not None else None
    to = int(figs["growth_to"]) if figs["growth_to"] is not None else None
    disagree = (rate is not None and recent is not None
                and ((rate < 0) != (recent < 0) or abs(recent - rate) >= DISAGREE))
    return {
        "rate": rate, "rate_q": figs["growth_qualifier"], "rate_from": figs["growth_from"],
        "rate_to": figs["growth_to"], "recent": recent, "recent_q": recent_q,
        "recent_from": None if to is None else to - growth_rules.RECENT_YEARS,
        "recent_to": to, "lead_recent": disagree,
    }


def _seasons(figs: dict, lang: str) -> dict:
    if figs["seasonal_amplitude"] is None:
        return {"season_unit": None, "season_peak": None, "season_trough": None}
    unit = "quarter" if figs["data_grain"] == "quarter" else "month"
    if unit == "quarter":
        name = lambda k: i18n.t("tr_quarter_name", lang, q=k)  # noqa: E731
    else:
        name = get_month_names("wide", locale=periods.LOCALES[lang]).get
    return {"season_unit": unit, "season_peak": name(figs["seasonal_peak"]),
            "season_trough": name(figs["seasonal_trough"])}
