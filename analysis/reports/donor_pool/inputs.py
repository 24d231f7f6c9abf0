"""The donor_pool notebook's inputs: the visits file, the campaign, and the core report's figures.

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift. It looks the campaign up (an
unknown campaign_id stops a run before it starts) and settles `as_of`: the
parameter if given, else the campaign's start date (None when neither is known).
The published totals and sessions are read for one sentence only: the
registrations the core report (`historical_vs_campaign`) says the target needs.
The visits are read as the retention report reads them (`inputs.load_visits`): a
large file is numbered and sorted in DuckDB, and no donor id comes into pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from analysis import config, inputs
from analysis.errors import ParamsError
from analysis.inputs import published


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    campaigns = inputs.load(record(params["campaigns_path"]), "campaigns")
    plan = published.campaign(params["campaign_id"], campaigns)
    return {
        "visits": inputs.load_visits(record(params["visits_path"]), params.get("visits_columns")),
        "campaigns": campaigns,
        "plan": plan,
        "as_of": as_of_for(params.get("as_of"), plan),
        "totals": inputs.load(record(config.TOTALS_CSV), "totals"),
        "yield_sessions": published.sessions(record(config.PUBLISHED_SESSIONS_CSV)),
    }


def as_of_for(as_of: object, plan: published.Campaign) -> pd.Timestamp | None:
    """The day the pool is counted on: `as_of` if given, else the campaign's start (or None)."""
    if as_of is None:
        return plan.start_date
    try:
        return pd.Timestamp(str(as_of)).normalize()
    except ValueError:
        raise ParamsError([f"as_of: expected an ISO date (YYYY-MM-DD), got {as_of!r}"]) from None
