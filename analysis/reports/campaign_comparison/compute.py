"""Editions of a drive side by side: plan, result and the ratios between them, every figure qualified.

A figure the campaigns file does not give stays missing (NA, shown as
missing), never 0. Each figure keeps its published qualifier (exact, about,
at_least, at_most) and a ratio takes the qualifier interval arithmetic gives
it (`analysis.qualified`): 6,157 units against "about 5,000" is "about 123%".

Sessions and sites are the campaign's planned figures, or those held where
the sessions file has them: an analyst's own sheet counts them exactly; the
published file is a press list of some sessions only, so from it they are
lower bounds, used only where no plan is published.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.inputs.published import totals_before
from analysis.model import disclosure
from analysis.model.campaign import campaign_days
from analysis.qualified import Qualified
from analysis.text import i18n

# the contract's columns of tables/editions.csv, then the rest of the comparison
COLUMNS = [
    "campaign_id", "start_date", "end_date", "days",
    "target_units", "target_units_qualifier", "registered", "registered_qualifier",
    "units_collected", "units_collected_qualifier", "achievement", "achievement_qualifier",
    "name", "sessions", "sessions_qualifier", "sessions_basis", "sites", "sites_qualifier", "sites_basis",
    "units_per_session", "units_per_session_qualifier", "turns", "yield", "yield_qualifier",
    "history_units", "history_units_qualifier",
    "target_share_of_history", "target_share_of_history_qualifier",
]
# campaigns-file column holding each figure's qualifier
QUALIFIER_OF = {"target_units": "target_qualifier", "registered": "registered_qualifier",
                "units_collected": "units_collected_qualifier"}
RATIOS = ("achievement", "units_per_session", "yield", "target_share_of_history")


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _qualified(value, qualifier=None) -> Qualified | None:
    if _missing(value):
        return None
    return Qualified(float(value), "exact" if _missing(qualifier) else str(qualifier))


def _ratio(a: Qualified | None, b: Qualified | None) -> Qualified | None:
    return None if a is None or b is None or b.value == 0 else a / b


def year_of(campaign_id: str) -> int | None:
    """The year in a campaign id (giotmau-<year>), or None."""
    tail = str(campaign_id).rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def chosen(campaigns: pd.DataFrame, ids: list[str] | None = None) -> pd.DataFrame:
    """The editions compared, by start date; an undated one at 1 January of its id's year."""
    rows = campaigns if ids is None else campaigns[campaigns["campaign_id"].isin(ids)]
    order = [r.start_date if not pd.isna(r.start_date)
             else pd.Timestamp(year_of(r.campaign_id) or 9999, 1, 1) for r in rows.itertuples()]
    ordered = rows.assign(_order=order).sort_values(["_order", "campaign_id"], kind="stable")
    return ordered.drop(columns="_order")


def sessions_for(sessions: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """Each session with its campaign: its own campaign_id, else the campaign whose dates hold it
    (a sheet without campaign ids); sessions of no campaign in the file are left out."""
    frame = sessions.copy()
    ids = (frame["campaign_id"].astype("object") if "campaign_id" in frame
           else pd.Series(None, index=frame.index, dtype="object"))
    frame["campaign_id"] = ids.where(ids.notna(), None)
    for row in campaigns.dropna(subset=["start_date", "end_date"]).itertuples():
        inside = frame["campaign_id"].isna() & frame["session_date"].between(row.start_date, row.end_date)
        frame.loc[inside, "campaign_id"] = row.campaign_id
    return frame[frame["campaign_id"].isin(set(campaigns["campaign_id"]))]


def held(sessions: pd.DataFrame, published: bool) -> pd.DataFrame:
    """Per campaign: sessions and sites held, and the yield of the sessions that give turns.

    From the published list (some sessions only) the counts are lower bounds:
    sessions are the distinct (day, site) rows, sites the most seen on one day.
    """
    out = []
    for cid, rows in sessions.groupby("campaign_id", sort=False):
        keyed = rows.dropna(subset=["session_date"]).drop_duplicates(["session_date", "site"])
        sites = keyed.groupby("session_date")["site"].nunique().max() if published else rows["site"].nunique()
        both = rows.dropna(subset=["units", "turns"]) if "turns" in rows else rows.iloc[0:0]
        turns = int(both["turns"].sum()) if len(both) else None
        out.append({"campaign_id": cid, "sessions": len(keyed),
                    "sites": None if pd.isna(sites) else int(sites),
                    "qualifier": "at_least" if published else "exact", "turns": turns,
                    "yield": float(both["units"].sum()) / turns if turns else None})
    return pd.DataFrame(out, columns=["campaign_id", "sessions", "sites", "qualifier", "turns", "yield"])


def _count(planned, held_row: dict | None, key: str) -> tuple[Qualified | None, str | None]:
    """A planned count, or the one held: an exact sheet beats the plan, the plan beats a lower bound."""
    got = (None if held_row is None or _missing(held_row[key])
           else Qualified(held_row[key], held_row["qualifier"]))
    if got is not None and got.qualifier == "exact":
        return got, "held"
    if not _missing(planned):
        return Qualified(float(planned)), "planned"
    return (got, "held") if got is not None else (None, None)


def history_before(row, totals: pd.DataFrame) -> Qualified | None:
    """The force's cumulative units published on or before the edition's start (its year's 1 January)."""
    year = year_of(row.campaign_id)
    day = row.start_date if not pd.isna(row.start_date) else (pd.Timestamp(year, 1, 1) if year else None)
    if day is None:
        return None
    try:
        snapshot = totals_before(day, totals)
    except LookupError:
        return None
    return _qualified(snapshot["units"], snapshot.get("qualifier"))


def edition_table(campaigns: pd.DataFrame, sessions: pd.DataFrame, sessions_published: bool,
                  totals: pd.DataFrame, ids: list[str] | None = None) -> pd.DataFrame:
    """One row per edition (the COLUMNS); every missing figure is NA, every figure qualified."""
    editions = chosen(campaigns, ids)
    counts = held(sessions_for(sessions, editions), sessions_published).set_index("campaign_id")
    rows = []
    for r in editions.itertuples():
        raw = r._asdict()
        fig = {k: _qualified(raw.get(k), raw.get(q)) for k, q in QUALIFIER_OF.items()}
        h = counts.loc[r.campaign_id].to_dict() if r.campaign_id in counts.index else None
        fig["sessions"], sessions_basis = _count(raw.get("sessions_planned"), h, "sessions")
        fig["sites"], sites_basis = _count(raw.get("sites_planned"), h, "sites")
        fig["achievement"] = _ratio(fig["units_collected"], fig["target_units"])
        fig["units_per_session"] = _ratio(fig["units_collected"], fig["sessions"])
        # units ÷ turns of the sessions held that give both
        fig["yield"] = None if h is None or _missing(h["yield"]) else Qualified(h["yield"])
        fig["history_units"] = history_before(r, totals)
        fig["target_share_of_history"] = _ratio(fig["target_units"], fig["history_units"])
        dated = not (pd.isna(r.start_date) or pd.isna(r.end_date))
        row = {"campaign_id": r.campaign_id, "name": raw.get("name", r.campaign_id),
               "start_date": r.start_date, "end_date": r.end_date,
               "days": campaign_days(r.start_date, r.end_date) if dated else None,
               "sessions_basis": sessions_basis, "sites_basis": sites_basis,
               "turns": None if h is None else h["turns"]}
        for key, q in fig.items():
            row[key] = None if q is None else q.value
            row[key + "_qualifier"] = None if q is None else q.qualifier
        rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    counts_cols = ["days", "target_units", "registered", "units_collected", "sessions", "sites", "turns",
                   "history_units"]
    table[counts_cols] = table[counts_cols].astype("Float64").round().astype("Int64")
    table[list(RATIOS)] = table[list(RATIOS)].astype("Float64")
    for col in ("start_date", "end_date"):
        table[col] = pd.to_datetime(table[col])
    return table


def weakest(qualifiers: list[str]) -> str:
    """The qualifier of a sum of figures so qualified (the weakest of its parts)."""
    total = Qualified(0.0)
    for q in qualifiers:
        total = total + Qualified(1.0, q)
    return total.qualifier


def key_figures(table: pd.DataFrame) -> dict:
    """The campaign_comparison key figures under the contract's names, and a few more."""
    result = table[table["achievement"].notna()]
    best = result.loc[result["achievement"].astype(float).idxmax()] if len(result) else None
    targeted = table[table["target_units"].notna() & table["start_date"].notna()]
    growth = growth_q = None
    first = last = None
    if len(targeted) >= 2:
        first, last = targeted.iloc[0], targeted.iloc[-1]
        years = (last["start_date"] - first["start_date"]).days / 365.25
        if years > 0:
            ratio = (Qualified(float(last["target_units"]), last["target_units_qualifier"])
                     / Qualified(float(first["target_units"]), first["target_units_qualifier"]))
            growth, growth_q = ratio.value ** (1 / years) - 1, ratio.qualifier
    return {
        "editions": len(table),
        "editions_with_result": int(table["units_collected"].notna().sum()),
        "mean_achievement": float(result["achievement"].astype(float).mean()) if len(result) else None,
        "mean_achievement_qualifier": weakest(list(result["achievement_qualifier"])) if len(result) else None,
        "best_edition": None if best is None else best["campaign_id"],
        "best_achievement": None if best is None else float(best["achievement"]),
        "target_growth_per_year": growth,
        "target_growth_per_year_qualifier": growth_q,
        "growth_from": None if first is None or growth is None else first["campaign_id"],
        "growth_to": None if last is None or growth is None else last["campaign_id"],
        "first_edition": table["campaign_id"].iloc[0] if len(table) else None,
        "last_edition": table["campaign_id"].iloc[-1] if len(table) else None,
    }


# --------------------------------------------------------------------------- for the reader


def _cell(value, qualifier, lang: str, kind: str) -> str:
    if _missing(value):
        return i18n.t("missing", lang)
    formats = {"int": lambda v: i18n.fmt_int(v, lang), "pct": lambda v: i18n.fmt_pct(v, lang, 1),
               "num": lambda v: i18n.fmt_num(v, lang, 0), "yield": lambda v: i18n.fmt_num(v, lang, 3)}
    text = formats[kind](value)
    return i18n.fmt_qualified(text, None if _missing(qualifier) else qualifier, lang)


def shown(safe: disclosure.Safe, lang: str) -> pd.DataFrame:
    """The editions as a reader sees them: one column per edition, missing figures said so."""
    table = disclosure.require(safe).frame
    rows = {}
    for r in table.to_dict("records"):
        dates = (i18n.t("missing", lang) if pd.isna(r["start_date"])
                 else f"{i18n.fmt_date(r['start_date'], lang)} – {i18n.fmt_date(r['end_date'], lang)}"
                 if not pd.isna(r["end_date"]) else i18n.fmt_date(r["start_date"], lang))
        cells = {"dates": dates, "days": _cell(r["days"], None, lang, "int")}
        for key in ("sessions", "sites"):
            basis = r[key + "_basis"]
            cells[key] = _cell(r[key], r[key + "_qualifier"], lang, "int") + (
                f" ({i18n.t('cmp_basis_' + basis, lang)})" if basis else "")
        for key, kind in (("target_units", "int"), ("registered", "int"), ("units_collected", "int"),
                          ("achievement", "pct"), ("units_per_session", "num"), ("yield", "yield"),
                          ("target_share_of_history", "pct")):
            cells[key] = _cell(r[key], r[key + "_qualifier"], lang, kind)
        rows[r["name"] if isinstance(r["name"], str) and r["name"] else r["campaign_id"]] = cells
    out = pd.DataFrame(rows)
    out.index = [i18n.t("cmp_row_" + k, lang) for k in out.index]
    return out


def missing_results(table: pd.DataFrame) -> list[str]:
    """Campaign ids of the editions whose units collected are not published."""
    return list(table.loc[table["units_collected"].isna(), "campaign_id"])


def sources(campaigns: pd.DataFrame, totals: pd.DataFrame, table: pd.DataFrame,
            catalogue: pd.DataFrame) -> pd.DataFrame:
    """The published sources of the compared editions and of the totals, those the catalogue holds."""
    ids = []
    for frame in (campaigns[campaigns["campaign_id"].isin(table["campaign_id"])], totals):
        if "source_id" in frame:
            ids += [p for s in frame["source_id"].dropna() for p in str(s).split(";") if p]
    known = [s for s in dict.fromkeys(ids) if s in set(catalogue["source_id"])]
    return catalogue.set_index("source_id").loc[known].reset_index()

