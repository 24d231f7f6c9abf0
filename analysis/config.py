"""Every project path, defined once from the project root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# WORKBOOK_NOTEBOOKS points the runner at another folder of notebooks (tests use it).
NOTEBOOKS = Path(os.environ.get("WORKBOOK_NOTEBOOKS", ROOT / "notebooks"))
# WORKBOOK_CHECKED_INPUTS names the private folder of one `workbook run`, where the input
# check leaves a large visits file's compact frame for the run's notebooks (inputs/handoff.py).
CHECKED_INPUTS_ENV = "WORKBOOK_CHECKED_INPUTS"
PARAMS = ROOT / "params"
DATA = ROOT / "data"
PUBLISHED = DATA / "published"
EXAMPLE = DATA / "example"
REPORTS = ROOT / "reports"
DEFAULT_PARAMS = PARAMS / "default.yaml"
LOCK_FILE = ROOT / "requirements.lock"

SOURCES_CSV = PUBLISHED / "sources.csv"
CAMPAIGNS_CSV = PUBLISHED / "campaigns.csv"
TOTALS_CSV = PUBLISHED / "totals.csv"
NATIONAL_CSV = PUBLISHED / "national.csv"
PUBLISHED_SESSIONS_CSV = PUBLISHED / "sessions.csv"
CHECKPOINTS_CSV = PUBLISHED / "checkpoints.csv"
FACTS_CSV = PUBLISHED / "facts.csv"


def resolve(path: str | Path | None) -> Path | None:
    """A path from a params file: relative paths are read from the project root."""
    if path is None:
        return None
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def _under(path: str | Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def is_simulated(path: str | Path) -> bool:
    """Inputs under data/example/ are simulated."""
    return _under(path, EXAMPLE)


def is_published(path: str | Path) -> bool:
    """Inputs under data/published/ are published figures, each with its source."""
    return _under(path, PUBLISHED)


# The kinds of input a report can stand on; a report's data_kind counts published as real.
INPUT_KINDS = ("published", "real", "simulated")


def input_kind(path: str | Path) -> str:
    """'published' (data/published/), 'simulated' (data/example/) or 'real' (the analyst's own file)."""
    if is_simulated(path):
        return "simulated"
    if is_published(path):
        return "published"
    return "real"
