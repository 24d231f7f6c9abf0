"""The CI templates an analyst's own repository can use: both run `make test` and keep the reports."""

from __future__ import annotations

import yaml
from conftest import ROOT, SCREENSHOTS


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text("utf-8"))


def _commands(lines) -> list[str]:
    return [line.strip() for block in lines for line in block.splitlines() if line.strip()]


def test_github_workflow_runs_make_test_on_python_311_and_keeps_the_reports():
    workflow = _load(".github/workflows/notebooks.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    assert job["container"].startswith("python:3.11")
    steps = job["steps"]
    assert "make test" in _commands(s.get("run", "") for s in steps)

    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".venv"
    assert "hashFiles('requirements.lock'" in cache["with"]["key"]

    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()"
    assert SCREENSHOTS.is_relative_to(ROOT / upload["with"]["path"])


def test_gitlab_ci_runs_make_test_on_python_311_and_keeps_the_reports():
    job = _load(".gitlab-ci.yml")["notebooks"]
    assert job["image"].startswith("python:3.11")
    assert "make test" in _commands(job["script"])
    assert "requirements.lock" in job["cache"]["key"]["files"]
    assert job["cache"]["paths"] == [".venv/"]
    assert job["artifacts"]["when"] == "always"
    (kept,) = job["artifacts"]["paths"]
    assert SCREENSHOTS.is_relative_to(ROOT / kept)


def test_system_packages_come_from_the_makefile_in_both():
    """Both install Debian's chromium through `make system-deps`, the same script `make test` uses."""
    steps = _load(".github/workflows/notebooks.yml")["jobs"]["notebooks"]["steps"]
    assert "make system-deps" in _commands(s.get("run", "") for s in steps)
    assert "make system-deps" in _commands(_load(".gitlab-ci.yml")["notebooks"]["before_script"])
