"""The campaign_comparison notebook's inputs: campaigns, cumulative totals and a sessions file.

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift. It also checks the request:
every campaign named in `campaign_ids` is in the campaigns file.

The sessions file is the published one (data/published/sessions.csv, also when
`sessions_path` is None), read as published: a press list of some sessions,
other forces' among them; or an analyst's own session sheet, read and checked
as the sessions kind against the campaigns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from analysis import config, inputs
from analysis.errors import UnknownCampaign
from analysis.inputs import published


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    campaigns = inputs.load(record(params["campaigns_path"]), "campaigns")
    ids = params.get("campaign_ids")
    if ids is not None:
        unknown = [c for c in ids if c not in set(campaigns["campaign_id"])]
        if unknown:
            known = ", ".join(sorted(campaigns["campaign_id"].astype(str)))
            raise UnknownCampaign(f"campaign_ids: {', '.join(map(repr, unknown))} not in the campaigns "
                                  f"file; known: {known}")
    path = params.get("sessions_path") or config.PUBLISHED_SESSIONS_CSV
    is_published = config.resolve(path).resolve() == config.PUBLISHED_SESSIONS_CSV.resolve()
    if is_published:
        sessions = published.sessions(record(path))
    else:
        sessions = inputs.load(record(path), "sessions", params.get("sessions_columns"), campaigns=campaigns)
    return {
        "campaigns": campaigns,
        "campaign_ids": None if ids is None else list(ids),
        "totals": inputs.load(record(params["totals_path"]), "totals"),
        "sessions": sessions,
        "sessions_published": is_published,
    }

