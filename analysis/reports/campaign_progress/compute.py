"""A campaign in progress: units so far, pace, what remains, and the projection.

The organiser's session sheet (one row per session) is cut at `as_of`: rows
after it are left out, so one sheet serves reports made at any point of the
drive. A row with empty units is a session listed but not yet held (the
sessions loader accepts it). Counting rules, used by every figure here and
stated in the report:

- a session is *held* when it is dated on or before `as_of` and has a unit
  count; a listed session with no units yet is not held (it still counts as
  remaining);
- *remaining sessions* = sessions planned for the campaign − sessions held
  (never below 0); when the campaign's plan does not publish its number of
  sessions, the sessions the sheet lists without units, or after `as_of`;
- a sheet marked incomplete (only the sessions someone published) gives a lower
  bound for the units to date, together with the campaign's published
  checkpoints, and no count of sessions held.

The projection is the scenario model applied to the remaining sessions
(`projection`); the key figures are in `figures`, the tables as the reader
sees them in `tables`, and the text in the report's templates, filled by
`context`. Tables that reach a reader leave here as `disclosure.Safe` tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import inputs
from analysis.errors import ProgressError
from analysis.inputs import published
from analysis.inputs.published import Campaign
from analysis.model import campaign, disclosure
from analysis.qualified import Qualified

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


# ---------------------------------------------------------------------------
# figures to date


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


def details(p: Progress) -> dict:
    """What the report says beyond its key figures: the sheet's row counts, sums and qualifiers.

    Sessions and units only; the text and the charts read these, never the sheet itself.
    """
    turns = p.held.dropna(subset=["units", "turns"]) if "turns" in p.held else None
    deferred = p.held.dropna(subset=["deferred", "turns"]) if {"deferred", "turns"} <= set(p.held) else None
    return {
        "complete": p.complete,
        "target": p.target,
        "units": units_to_date(p),
        "pending": len(p.pending),
        "future": len(p.future),
        "left_aside": p.left_aside,
        "turns": None if turns is None else float(turns["turns"].sum()),
        "units_with_turns": None if turns is None else float(turns["units"].sum()),
        "deferred": None if deferred is None else float(deferred["deferred"].sum()),
        "mean_units_held": float(p.held["units"].mean()) if len(p.held) else None,
    }


def cumulative(held: pd.DataFrame) -> pd.DataFrame:
    """Units by session date and their running total."""
    by_day = held.groupby("session_date", as_index=False)["units"].sum()
    by_day["units"] = by_day["units"].astype(float)
    by_day["cumulative_units"] = by_day["units"].cumsum()
    return by_day


def by_site(held: pd.DataFrame) -> disclosure.Safe:
    """One row per site: sessions, registered, turns, deferred, units, yield, deferral rate.

    Units of blood and session tallies of a whole site, no table of people: it
    passes the door as it is (`disclosure.no_people`).
    """
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
    return disclosure.no_people(table)


def sessions_table(p: Progress) -> disclosure.Safe:
    """Every session of the campaign in the sheet, by date: its units and whether it is
    held, pending (dated on or before as_of, no units yet) or future (after as_of)."""
    parts = [frame.assign(state=state) for state, frame in
             (("held", p.held), ("pending", p.pending), ("future", p.future))]
    rows = pd.concat(parts, ignore_index=True) if len(p.sessions) else p.sessions.assign(state="")
    return disclosure.no_people(rows[["session_date", "site", "units", "state"]])


def historical_yield(snapshot: pd.Series | None) -> float | None:
    """Units per turn of a cumulative snapshot (None without one)."""
    return None if snapshot is None else campaign.historical_yield(snapshot["turns"], snapshot["units"])
