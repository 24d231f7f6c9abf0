"""The campaign_progress notebook's inputs: the session sheet and the published figures.

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift. It also checks the request: the
campaign exists, the sheet's sessions and `as_of` fit it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from analysis import config, inputs
from analysis.inputs import published
from analysis.model import campaign
from analysis.reports.campaign_progress import compute as progress


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    campaigns = inputs.load(record(params["campaigns_path"]), "campaigns")
    plan = published.campaign(params["campaign_id"], campaigns)
    if params.get("sessions_path"):
        sheet = inputs.load(record(params["sessions_path"]), "sessions", params.get("sessions_columns"),
                            campaigns=campaigns)
    else:  # the campaign's own rows of the published sessions
        sheet = progress.published_sheet(plan.campaign_id, campaigns, record(params["yield_sessions_path"]))
    state = progress.prepare(sheet, plan, campaigns, params.get("as_of"),
                             published.checkpoints(record(params["checkpoints_path"])),
                             params.get("sessions_complete", True))
    return {
        "campaigns": campaigns,
        "plan": plan,
        "state": state,
        "snapshot": campaign.snapshot_before(plan, inputs.load(record(params["totals_path"]), "totals")),
        "yield_sessions": published.sessions(record(params["yield_sessions_path"])),
    }
