"""The historical_vs_campaign notebook's inputs: totals, campaigns, published sessions.

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift. It also looks the campaign up,
so an unknown campaign_id stops a run before it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from analysis import config, inputs
from analysis.inputs import published


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    campaigns = inputs.load(record(params["campaigns_path"]), "campaigns")
    return {
        "totals": inputs.load(record(params["totals_path"]), "totals"),
        "campaigns": campaigns,
        "yield_sessions": published.sessions(record(params["yield_sessions_path"])),
        "plan": published.campaign(params["campaign_id"], campaigns),
    }
