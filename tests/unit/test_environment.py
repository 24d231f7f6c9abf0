"""environment.yml (conda) and pyproject.toml (pip) describe the same environment."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"python-duckdb": "duckdb", "playwright-python": "playwright"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower(), spec.replace(" ", "")


def _conda_packages(env: dict) -> dict[str, str]:
    """environment.yml's conda packages as {PyPI name: version spec}, python and pip left out."""
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, str):
            name, spec = _split(item)
            if name not in ("python", "pip"):
                conda[CONDA_NAMES.get(name, name)] = spec
    return conda


def test_conda_and_pip_dependencies_agree():
    """Runtime and development packages alike: one missing on either side fails."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = dict(_split(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"])
    conda = _conda_packages(yaml.safe_load((ROOT / "environment.yml").read_text()))
    assert sorted(set(pip_deps) - set(conda)) == [], "in pyproject.toml, not in environment.yml"
    assert sorted(set(conda) - set(pip_deps)) == [], "in environment.yml, not in pyproject.toml"
    assert conda == pip_deps


def test_environment_names_the_tools_ci_uses():
    conda = _conda_packages(yaml.safe_load((ROOT / "environment.yml").read_text()))
    tools = ["nbval", "pytest", "jupytext", "nbstripout", "ruff", "playwright", "papermill", "jupyterlab"]
    assert [t for t in tools + ["pandas", "matplotlib", "seaborn"] if t not in conda] == []


def test_conda_installs_only_the_package_itself_with_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(i["pip"] for i in env["dependencies"] if isinstance(i, dict))
    assert pip_section == ["-e ."]
    assert env["channels"] == ["conda-forge"]


def test_python_floor_matches():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]


def test_lock_pins_every_dependency_exactly():
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", lock, re.M)}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [_split(r)[0] for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    assert not [w for w in wanted if w not in pinned]
