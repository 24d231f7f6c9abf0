"""The donor_retention notebook's inputs: one visits file (one row per donor visit).

`read` is the one declaration of what the notebook reads: the notebook calls it
with `rec.input` (which records each file) and the runner's preflight calls it
before anything runs, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from analysis import config, inputs


def read(params: Mapping[str, object], record: Callable = config.resolve) -> dict:
    """{"visits": the checked visits, for `compute.summarise`}; a WorkbookError when the file
    cannot be used. A large file is numbered and sorted in DuckDB (`inputs.load_visits`): its
    donor ids never come into pandas. Nothing here is counted by site."""
    return {"visits": inputs.load_visits(record(params["visits_path"]), params.get("visits_columns"),
                                         sites=False)}
