"""A campaign in progress: units so far, pace, what remains, and the projection.

The organiser's session sheet (one row per session) is cut at `as_of`: rows
after it are left out, so one sheet serves reports made at any point of the
drive. (Rows with empty units would be sessions not yet held; the sessions
loader currently refuses them, but the rules below cover frames that have
them.) Counting rules, used by every figure here and stated in the report:

- a session is *held* when it is dated on or before `as_of` and has a unit
  count; a listed session with no units yet is not held (it still counts as
  remaining);
- *remaining sessions* = sessions planned for the campaign − sessions held
  (never below 0); when the campaign's plan does not publish its number of
  sessions, the sessions the sheet lists without units, or after `as_of`;
- a sheet marked incomplete (only the sessions someone published) gives a lower
  bound for the units to date, together with the campaign's published
  checkpoints, and no count of sessions held.

The projection is the scenario model of `analysis.scenario` applied to the
remaining sessions (`projection`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.errors import ProgressError
from analysis.model import campaign
from analysis.text import i18n
from analysis import inputs
from analysis.inputs import published
from analysis.model import scenario
from analysis.inputs.published import Campaign
from analysis.qualified import Qualified

LEVEL = 0.9

KEY_METRICS = (
    "as_of", "sessions_held", "units_to_date", "pct_of_target",
    "units_needed_per_remaining_session", "projected_final_units", "projected_final_low",
    "projected_final_high", "p_target_met", "yield_to_date",
)


# ---------------------------------------------------------------------------
# preparing the sheet


@dataclass(frozen=True)
class Progress:
    """A campaign's sheet cut at `as_of` (None: the sheet holds no session of it)."""

    plan: Campaign
    target: Qualified | None
    as_of: pd.Timestamp | None
    sessions: pd.DataFrame  # every row of this campaign, by date
    held: pd.DataFrame  # dated on or before as_of, with units
    pending: pd.DataFrame  # dated on or before as_of, no units yet
    future: pd.DataFrame  # dated after as_of
    left_aside: int  # rows of other campaigns
    complete: bool  # the sheet lists every session held
    checkpoint: pd.Series | None  # latest published tally on or before as_of


def parse_as_of(as_of: str | None) -> pd.Timestamp | None:
    """The `as_of` parameter as a date (ISO, e.g. 2023-08-15)."""
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return None
    try:
        return pd.Timestamp(pd.to_datetime(str(as_of), format="ISO8601")).normalize()
    except (ValueError, TypeError) as exc:
        raise ProgressError(f"as_of must be an ISO date such as 2023-08-15, got {as_of!r}") from exc


def target_of(plan: Campaign, campaigns: pd.DataFrame) -> Qualified | None:
    """The campaign's target with its published qualifier (2020's 5,000 is 'about')."""
    if plan.target_units is None:
        return None
    row = campaigns[campaigns["campaign_id"] == plan.campaign_id].iloc[0]
    qualifier = row.get("target_qualifier")
    return Qualified(float(plan.target_units), "exact" if pd.isna(qualifier) else str(qualifier))


def campaign_rows(sheet: pd.DataFrame, campaign_id: str) -> tuple[pd.DataFrame, int]:
    """The sheet's rows of `campaign_id` and how many rows belong to others.

    A sheet without a (filled) campaign_id column is taken as one campaign's.
    """
    if "campaign_id" not in sheet or sheet["campaign_id"].isna().all():
        return sheet.copy(), 0
    mine = sheet["campaign_id"].astype("string") == campaign_id
    mine = mine.fillna(False).astype(bool)
    return sheet[mine].copy(), int((~mine).sum())


def check_dates(rows: pd.DataFrame, plan: Campaign) -> None:
    """Every session has a date inside the campaign's period (when published)."""
    undated = rows["session_date"].isna()
    if undated.any():
        site = rows.loc[undated, "site"].iloc[0]
        raise ProgressError(
            f"sessions_path: {int(undated.sum())} session(s) of {plan.campaign_id} have no date "
            f"(first: site {site!r})"
        )
    if plan.start_date is None or plan.end_date is None:
        return
    outside = (rows["session_date"] < plan.start_date) | (rows["session_date"] > plan.end_date)
    if outside.any():
        first = rows[outside].sort_values("session_date").iloc[0]
        raise ProgressError(
            f"sessions_path: {int(outside.sum())} session(s) lie outside {plan.campaign_id} "
            f"({plan.start_date:%Y-%m-%d} to {plan.end_date:%Y-%m-%d}); first: "
            f"{first['session_date']:%Y-%m-%d} at {first['site']!r}"
        )


def latest_checkpoint(
    checkpoints: pd.DataFrame | None, campaign_id: str, as_of: pd.Timestamp | None
) -> pd.Series | None:
    """The campaign's latest published tally dated on or before `as_of` (by day)."""
    if checkpoints is None or as_of is None or checkpoints.empty:
        return None
    rows = checkpoints[
        (checkpoints["campaign_id"] == campaign_id)
        & (checkpoints["as_of"].dt.normalize() <= as_of)
    ].sort_values("as_of")
    return None if rows.empty else rows.iloc[-1]


def prepare(
    sheet: pd.DataFrame,
    plan: Campaign,
    campaigns: pd.DataFrame,
    as_of: str | None = None,
    checkpoints: pd.DataFrame | None = None,
    complete: bool = True,
) -> Progress:
    """Check the sheet against the campaign and cut it at `as_of`.

    Raises ProgressError (one line) for sessions outside the campaign, an
    as_of before the first session or after the campaign's end.
    """
    rows, left_aside = campaign_rows(sheet, plan.campaign_id)
    rows = rows.sort_values("session_date", kind="stable").reset_index(drop=True)
    check_dates(rows, plan)
    wanted = parse_as_of(as_of)
    if wanted is not None and plan.end_date is not None and wanted > plan.end_date:
        raise ProgressError(
            f"as_of {wanted:%Y-%m-%d} is after the end of {plan.campaign_id} "
            f"({plan.end_date:%Y-%m-%d})"
        )
    has_units = rows["units"].notna()
    if wanted is not None and len(rows) and wanted < rows["session_date"].min():
        raise ProgressError(
            f"as_of {wanted:%Y-%m-%d} is before the first session of {plan.campaign_id} "
            f"in the sheet ({rows['session_date'].min():%Y-%m-%d})"
        )
    if wanted is None and has_units.any():
        wanted = pd.Timestamp(rows.loc[has_units, "session_date"].max())
    if wanted is None or rows.empty:  # nothing known of this campaign
        empty = rows.iloc[0:0]
        return Progress(plan, target_of(plan, campaigns), None, rows, empty, empty, rows,
                        left_aside, complete, None)
    upto = rows["session_date"] <= wanted
    return Progress(
        plan=plan,
        target=target_of(plan, campaigns),
        as_of=wanted,
        sessions=rows,
        held=rows[upto & has_units].reset_index(drop=True),
        pending=rows[upto & ~has_units].reset_index(drop=True),
        future=rows[~upto].reset_index(drop=True),
        left_aside=left_aside,
        complete=complete,
        checkpoint=latest_checkpoint(checkpoints, plan.campaign_id, wanted),
    )


# ---------------------------------------------------------------------------
# figures to date


def _total(column: pd.Series) -> float | None:
    """Sum of a count column, None when it has no value at all."""
    value = column.sum(min_count=1)
    return None if pd.isna(value) else float(value)


def units_to_date(p: Progress) -> Qualified | None:
    """Units collected by `as_of`, with the qualifier they can be trusted in.

    A complete sheet gives the sum of its held sessions (a session whose count
    is itself a bound passes its qualifier on). An incomplete one gives a
    lower bound: the larger of that sum and the latest published tally.
    """
    if p.as_of is None:
        return None
    qualifiers = (
        p.held["units_qualifier"].fillna("exact").astype(str)
        if "units_qualifier" in p.held
        else pd.Series("exact", index=p.held.index)
    )
    total = sum(
        (Qualified(float(u), q) for u, q in zip(p.held["units"], qualifiers, strict=True)),
        Qualified(0.0),
    )
    if p.complete:
        return total
    best = total.value
    if p.checkpoint is not None:
        best = max(best, float(p.checkpoint["units"]))
    return Qualified(best, "at_least")


def ratio_over(held: pd.DataFrame, num: str, den: str) -> tuple[float | None, int]:
    """sum(num) ÷ sum(den) over sessions that give both, and how many do."""
    if num not in held or den not in held:
        return None, 0
    both = held.dropna(subset=[num, den])
    both = both[both[den] > 0]
    if both.empty:
        return None, 0
    return float(both[num].sum()) / float(both[den].sum()), len(both)


def registered_to_date(p: Progress) -> float | None:
    """Officers registered at the sessions held (None unless every held session says)."""
    if p.held.empty:
        return 0.0
    if "registered" not in p.held or p.held["registered"].isna().any():
        return None
    return float(p.held["registered"].sum())


def sessions_remaining(p: Progress) -> tuple[int | None, str]:
    """Sessions still to come and how they were counted ('planned', 'sheet', 'done' or 'unknown')."""
    if p.as_of is None or not p.complete:
        return None, "unknown"
    if p.plan.sessions_planned is not None:
        n = max(p.plan.sessions_planned - len(p.held), 0)
        return n, "planned" if n else "done"
    listed = len(p.pending) + len(p.future)
    if listed:
        return listed, "sheet"
    return None, "unknown"


def pace_units(p: Progress) -> float | None:
    """Units the target asks for by now at an even pace per session."""
    if p.target is None or p.plan.sessions_planned is None or not p.complete or p.as_of is None:
        return None
    return p.target.value * min(len(p.held), p.plan.sessions_planned) / p.plan.sessions_planned


def cumulative(held: pd.DataFrame) -> pd.DataFrame:
    """Units by session date and their running total."""
    by_day = held.groupby("session_date", as_index=False)["units"].sum()
    by_day["units"] = by_day["units"].astype(float)
    by_day["cumulative_units"] = by_day["units"].cumsum()
    return by_day


def by_site(held: pd.DataFrame) -> pd.DataFrame:
    """One row per site: sessions, registered, turns, deferred, units, yield, deferral rate."""
    frame = held.copy()
    for col in ("registered", "turns", "deferred"):
        if col not in frame:
            frame[col] = pd.NA
    grouped = frame.groupby("site", sort=False)
    table = pd.DataFrame(
        {
            "sessions": grouped.size(),
            **{
                col: grouped[col].sum(min_count=1).astype("Float64")
                for col in ("registered", "turns", "deferred", "units")
            },
        }
    )
    table["yield"] = table["units"] / table["turns"]
    table["deferral_rate"] = table["deferred"] / table["turns"]
    table["share_of_units"] = table["units"] / table["units"].sum()
    table = table.sort_values("units", ascending=False).reset_index()
    for col in ("registered", "turns", "deferred", "units"):
        table[col] = table[col].round().astype("Int64")
    return table


def historical_yield(snapshot: pd.Series | None) -> float | None:
    """Units per turn of a cumulative snapshot (None without one)."""
    return None if snapshot is None else campaign.historical_yield(snapshot["turns"], snapshot["units"])


def sources_used(
    p: Progress,
    outlook: Outlook,
    snapshot: pd.Series | None,
    yield_sessions: pd.DataFrame,
    sources: pd.DataFrame,
) -> list[str]:
    """The published sources behind the report's figures, as ids of `sources`."""

    def split(value) -> list[str]:
        return [] if value is None or pd.isna(value) else str(value).split(";")

    ids = list(p.plan.source_ids)
    if "source_id" in p.held:
        ids += [i for v in p.held["source_id"] for i in split(v)]
    if p.checkpoint is not None:
        ids += split(p.checkpoint.get("source_id"))
    if snapshot is not None:
        ids += split(snapshot.get("source_id"))
    if outlook.basis == "history_yield":
        usable = scenario.session_yields(yield_sessions).index
        ids += [i for v in yield_sessions.loc[usable, "source_id"] for i in split(v)]
    known = set(sources["source_id"])
    return [i for i in dict.fromkeys(ids) if i in known]


# ---------------------------------------------------------------------------
# projection


@dataclass(frozen=True)
class Outlook:
    """The projection of the final total and what it rests on."""

    projection: scenario.Projection | None
    basis: str  # held_yield, history_yield, held_units, done, none_*
    model: scenario.YieldModel | None = None
    scale: float | None = None  # officers still to come, or remaining sessions
    registered_rest: float | None = None


def projection(
    p: Progress,
    hist_yield: float | None,
    published_yields: pd.Series,
    level: float = LEVEL,
) -> Outlook:
    """Final total = units to date + the remaining sessions under the scenario model.

    The remaining sessions' registrations are the campaign's registered minus
    those registered at sessions held, spread evenly over them. Their yield
    (units per registered officer) is measured on the held sessions once two
    of them give registrations (`scenario.held_model`); before that it is the
    historical yield with the spread of the published sessions, as in the
    plan report (`scenario.yield_model`). When registrations are missing (in
    the sheet or in the campaign's figures) the remaining sessions bring the
    mean units per held session, with its spread. `hist_yield` None: no
    historical totals before the campaign.
    """
    done = units_to_date(p)
    n_rem, _ = sessions_remaining(p)
    target = None if p.target is None else p.target.value
    if p.as_of is None:
        return Outlook(None, "none_no_sessions")
    if not p.complete:
        return Outlook(None, "none_incomplete")
    if n_rem is None:
        return Outlook(None, "none_no_plan")
    if n_rem == 0:
        return Outlook(scenario.project_remaining(None, done.value, 0, target, level), "done")
    reg_held = registered_to_date(p)
    reg_plan = None if p.plan.registered is None else p.plan.registered.value
    rest = None if reg_held is None or reg_plan is None else reg_plan - reg_held
    if rest is not None and rest > 0:
        yields = scenario.session_yields(p.held)
        if len(yields) >= 2:
            model = scenario.held_model(yields, n_rem)
            basis = "held_yield"
        elif hist_yield is not None and len(published_yields.dropna()) >= 2:
            model = scenario.yield_model(hist_yield, published_yields, n_rem)
            basis = "history_yield"
        else:
            model = None
        if model is not None:
            proj = scenario.project_remaining(model, done.value, rest, target, level, most=rest)
            return Outlook(proj, basis, model, rest, rest)
    per_session = p.held["units"].astype(float)
    if len(per_session) >= 2:
        model = scenario.held_model(per_session, n_rem)
        proj = scenario.project_remaining(model, done.value, n_rem, target, level)
        return Outlook(proj, "held_units", model, float(n_rem), rest)
    return Outlook(None, "none_too_few")


# ---------------------------------------------------------------------------
# key figures


def _whole(value: float | None) -> int | float | None:
    """A count as an int (metrics.json shows 2348, not 2348.0)."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def key_figures(p: Progress, outlook: Outlook) -> dict[str, object]:
    """The contract's key figures of `campaign_progress`, then a few more.

    Null where unknown: no session of the campaign in the sheet nulls them all;
    an incomplete sheet nulls the sessions held and everything that needs them.
    """
    units = units_to_date(p)
    target = None if p.target is None else p.target.value
    n_rem, counted = sessions_remaining(p)
    still = None if units is None or target is None else max(target - units.value, 0.0)
    yield_, _ = ratio_over(p.held, "units", "turns")
    deferral, _ = ratio_over(p.held, "deferred", "turns")
    per_registered, _ = ratio_over(p.held, "units", "registered")
    proj = outlook.projection
    final = p.plan.units_collected
    known = p.as_of is not None
    return {
        "as_of": p.as_of.date().isoformat() if known else None,
        "sessions_held": len(p.held) if known and p.complete else None,
        "units_to_date": _whole(units.value) if units is not None else None,
        "pct_of_target": units.value / target if units is not None and target else None,
        "units_needed_per_remaining_session": still / n_rem if still is not None and n_rem else None,
        "projected_final_units": proj.expected if proj else None,
        "projected_final_low": proj.low if proj else None,
        "projected_final_high": proj.high if proj else None,
        "p_target_met": proj.p_target_met if proj else None,
        "yield_to_date": yield_ if known else None,
        # more figures
        "units_to_date_qualifier": units.qualifier if units is not None else None,
        "target_units": _whole(target),
        "sessions_planned": p.plan.sessions_planned,
        "sessions_remaining": n_rem,
        "sessions_remaining_counted_from": counted,
        "sessions_reported": len(p.held) if known else 0,
        "units_still_needed": _whole(still),
        "pace_units": pace_units(p),
        "registered_to_date": _whole(registered_to_date(p)) if known else None,
        "units_per_registered_to_date": per_registered if known else None,
        "deferral_rate_to_date": deferral if known else None,
        "projection_basis": outlook.basis,
        "final_units_published": _whole(final.value) if final is not None else None,
    }


# ---------------------------------------------------------------------------
# report text



def count(n: int, noun: str, lang: str) -> str:
    """'1 session' / '3 sessions' / '3 buổi'."""
    key = f"cp_n_{noun}_one" if n == 1 else f"cp_n_{noun}"
    return i18n.t(key, lang, n=i18n.fmt_int(n, lang))


def _fmt(lang: str):
    return (
        lambda v: i18n.fmt_int(v, lang),
        lambda v, d=3: i18n.fmt_num(v, lang, d),
        lambda v: i18n.fmt_pct(v, lang),
    )


def site_table_for_report(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The per-site table with localized headers and numbers, for display only."""
    f_int, f_num, f_pct = _fmt(lang)
    shown = pd.DataFrame(index=table.index)
    formats = {
        "site": str, "sessions": f_int, "registered": f_int, "turns": f_int,
        "deferred": f_int, "units": f_int, "yield": lambda v: f_num(v, 3),
        "deferral_rate": f_pct, "share_of_units": f_pct,
    }
    for col, fmt in formats.items():
        if col in table and table[col].notna().any():
            shown[i18n.t("col_" + col, lang)] = [
                i18n.t("missing", lang) if pd.isna(v) else fmt(v) for v in table[col]
            ]
    return shown


def key_figures_table(figs: dict, lang: str) -> pd.DataFrame:
    """The contract's key figures with their labels, formatted for the reader."""
    f_int, f_num, f_pct = _fmt(lang)
    shown = {
        "as_of": lambda v: i18n.fmt_date(pd.Timestamp(v), lang) if v else i18n.t("missing", lang),
        "sessions_held": f_int, "units_to_date": f_int, "pct_of_target": f_pct,
        "units_needed_per_remaining_session": lambda v: f_num(v, 1),
        "projected_final_units": f_int, "projected_final_low": f_int,
        "projected_final_high": f_int, "p_target_met": f_pct,
        "yield_to_date": lambda v: f_num(v, 3),
    }
    return pd.DataFrame(
        {
            i18n.t("figure", lang): [i18n.t(k, lang) for k in shown],
            i18n.t("value", lang): [fmt(figs[k]) for k, fmt in shown.items()],
        }
    )


def story(
    p: Progress,
    figs: dict,
    outlook: Outlook,
    hist_yield: float | None,
    sessions_path: str,
    lang: str,
) -> dict[str, str]:
    """The report's text, section by section, in the reader's language."""
    f_int, f_num, f_pct = _fmt(lang)
    t = i18n.t
    plan = p.plan
    date = i18n.fmt_date(p.as_of, lang) if p.as_of is not None else None
    text: dict[str, str] = {
        "title": t("cp_title", lang, name=plan.name, date=date)
        if date
        else t("cp_title_nodate", lang, name=plan.name),
        "key_figures": t("cp_key_figures", lang),
    }
    units = units_to_date(p)
    target_txt = i18n.fmt_q(p.target, lang) if p.target is not None else t("missing", lang)
    pct_q = None
    if units is not None and p.target is not None:
        pct_q = units / p.target
    unknown: list[str] = []

    # status --------------------------------------------------------------
    final = plan.units_collected
    final_txt = ""
    if final is not None and p.target is not None:
        final_txt = t("cp_final_published", lang, final=i18n.fmt_q(final, lang),
                      pct=i18n.fmt_qualified(f_pct(final.value / p.target.value),
                                             (final / p.target).qualifier, lang))
    if p.as_of is None:
        unknown.append(t("cp_unknown_no_sessions", lang, campaign=plan.campaign_id,
                         path=sessions_path))
        text["status"] = "\n\n".join(x for x in (t("cp_unknown", lang), *unknown, final_txt) if x)
    else:
        pct_txt = (
            i18n.fmt_qualified(f_pct(pct_q.value), pct_q.qualifier, lang)
            if pct_q is not None else t("missing", lang)
        )
        if p.complete:
            of_planned = (
                t("cp_of_planned", lang, planned=f_int(plan.sessions_planned))
                if plan.sessions_planned else ""
            )
            status = t("cp_status", lang, date=date, held=count(len(p.held), "session", lang),
                       of_planned=of_planned, units=i18n.fmt_q(units, lang), pct=pct_txt,
                       target=target_txt)
        else:
            status = t("cp_status_incomplete", lang, date=date, units=i18n.fmt_q(units, lang),
                       pct=pct_txt, target=target_txt)
        parts = [status]
        pace = figs["pace_units"]
        if pace is not None and units is not None:
            gap = units.value - pace
            parts.append(t("cp_pace_ahead" if gap >= 0 else "cp_pace_behind", lang,
                           pace=f_int(pace), gap=f_int(abs(gap))))
        if final_txt:
            parts.append(final_txt)
        counting = []
        n_rem, counted = figs["sessions_remaining"], figs["sessions_remaining_counted_from"]
        if counted in ("planned", "done"):
            counting.append(t("cp_counting", lang, date=date, remaining=f_int(n_rem)))
        elif counted == "sheet":
            counting.append(t("cp_counting_sheet", lang, date=date, remaining=f_int(n_rem)))
        if len(p.pending) and p.complete:
            counting.append(t("cp_listed_pending", lang, date=date,
                              sessions=count(len(p.pending), "session", lang)))
        if len(p.future):
            counting.append(t("cp_listed_future", lang, date=date,
                              sessions=count(len(p.future), "session", lang)))
        if p.left_aside:
            counting.append(t("cp_left_aside", lang, rows=count(p.left_aside, "row", lang)))
        text["status"] = " ".join(parts) + ("\n\n" + " ".join(counting) if counting else "")

    # sites ---------------------------------------------------------------
    if len(p.held):
        sites = by_site(p.held)
        text["sites"] = t("cp_sites", lang, sites=count(len(sites), "site", lang), site=sites.loc[0, "site"],
                          units=f_int(sites.loc[0, "units"]))
    else:
        text["sites"] = ""

    # yield ---------------------------------------------------------------
    text["yield"] = ""
    if len(p.held):
        yield_, n_turns = ratio_over(p.held, "units", "turns")
        if yield_ is None:
            text["yield"] = t("cp_no_turns", lang)
            unknown.append(t("cp_unknown_turns", lang))
        else:
            with_turns = p.held.dropna(subset=["units", "turns"])
            hist = t("cp_yield_hist", lang, hist=f_num(hist_yield)) if hist_yield else ""
            parts = [t("cp_yield", lang, turns=f_int(with_turns["turns"].sum()),
                       units=f_int(with_turns["units"].sum()), yield_=f_num(yield_), hist=hist)]
            deferral, _ = ratio_over(p.held, "deferred", "turns")
            if deferral is None:
                parts.append(t("cp_no_deferred", lang))
            else:
                both = p.held.dropna(subset=["deferred", "turns"])
                parts.append(t("cp_deferral", lang, deferred=f_int(both["deferred"].sum()),
                               rate=f_pct(deferral)))
            text["yield"] = " ".join(parts)
        if figs["units_per_registered_to_date"] is not None:
            sep = " " if text["yield"] and yield_ is not None else "\n\n"
            text["yield"] += sep + t("cp_per_registered", lang,
                                     rate=f_num(figs["units_per_registered_to_date"]))

    # needed per remaining session -----------------------------------------
    text["needed"] = ""
    still = figs["units_still_needed"]
    if p.as_of is not None and still is not None:
        n_rem = figs["sessions_remaining"]
        # a lower bound collected leaves at most that much to collect
        still_q = "at_most" if units.qualifier == "at_least" else units.qualifier
        still_txt = i18n.fmt_qualified(f_int(still), still_q, lang)
        if still <= 0:
            text["needed"] = t("cp_needed_met_done" if n_rem == 0 else "cp_needed_met", lang)
        elif n_rem is None:
            text["needed"] = t("cp_needed_unknown", lang, still=still_txt)
        elif n_rem == 0:
            text["needed"] = t("cp_needed_none_left", lang, still=still_txt)
        else:
            avg = float(p.held["units"].mean()) if len(p.held) else None
            text["needed"] = t("cp_needed" if avg is not None else "cp_needed_first", lang,
                               still=still_txt,
                               sessions=count(n_rem, "session", lang),
                               per=f_num(figs["units_needed_per_remaining_session"], 1),
                               avg=f_num(avg, 1))

    # projection ----------------------------------------------------------
    text["projection"] = _projection_text(p, figs, outlook, lang)

    # what is not known ----------------------------------------------------
    if p.as_of is not None:
        if not p.complete:
            unknown.insert(0, t("cp_unknown_incomplete", lang))
        if plan.sessions_planned is None:
            unknown.append(t("cp_unknown_planned", lang))
        if plan.registered is None:
            unknown.append(t("cp_unknown_registered", lang))
        if p.target is None:
            unknown.append(t("cp_unknown_target", lang))
        if final is None and plan.end_date is not None and p.as_of >= plan.end_date:
            unknown.append(t("cp_unknown_final", lang))
        text["unknown"] = t("cp_unknown", lang) + "\n\n" + (
            "\n".join(f"- {u}" for u in unknown) if unknown else t("cp_nothing_unknown", lang)
        )
    else:
        text["unknown"] = ""
    return text


def _projection_text(p: Progress, figs: dict, outlook: Outlook, lang: str) -> str:
    f_int, f_num, f_pct = _fmt(lang)
    t = i18n.t
    basis = outlook.basis
    if basis.startswith("none"):
        return t("cp_projection_none", lang, why=t("cp_" + basis, lang))
    if basis == "done":
        met = p.target is not None and figs["units_to_date"] >= p.target.value
        return t("cp_projection_done", lang, units=f_int(figs["units_to_date"]),
                 verdict=t("cp_done_met" if met else "cp_done_short", lang))
    model = outlook.model
    if basis in ("held_yield", "history_yield"):
        reg = p.plan.registered
        described = t("cp_model_" + basis, lang, rest=f_int(outlook.scale),
                      reg=i18n.fmt_q(reg, lang), reg_held=f_int(figs["registered_to_date"]),
                      n=f_int(model.n_observed), mean=f_num(model.mean),
                      sd=f_num(model.session_sd))
    else:
        if p.plan.registered is None:
            why = "cp_why_no_registered_plan"
        elif figs["registered_to_date"] is None:
            why = "cp_why_no_registered_sheet"
        else:
            why = "cp_why_registered_used_up"
        described = t("cp_model_held_units", lang,
                      sessions=count(figs["sessions_remaining"], "session", lang),
                      mean=f_num(model.mean, 1), sd=f_num(model.session_sd, 1),
                      n=f_int(model.n_observed), why=t(why, lang))
    return t("cp_projection", lang, model=described,
             proj=f_int(figs["projected_final_units"]), low=f_int(figs["projected_final_low"]),
             high=f_int(figs["projected_final_high"]),
             p=f_pct(figs["p_target_met"]) if figs["p_target_met"] is not None
             else t("missing", lang))


def published_sheet(campaign_id: str, campaigns: pd.DataFrame, path=None) -> pd.DataFrame:
    """The campaign's sessions as the press published them (data/published/sessions.csv).

    Only that campaign's rows are taken (other forces' sessions there may lack a
    date), then checked as a session sheet like any analyst's file.
    """
    rows = published.sessions(path)
    rows = rows[rows["campaign_id"] == campaign_id].drop(columns=["organizer", "note"], errors="ignore")
    rows = rows.assign(session_date=rows["session_date"].dt.strftime("%Y-%m-%d"))
    file = str(path or "data/published/sessions.csv")
    return inputs.validate(rows.astype("string").reset_index(drop=True), "sessions", campaigns, file=file)
