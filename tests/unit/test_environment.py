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


def _lock_omits() -> set[str]:
    """The packages the Makefile's `lock` target leaves out of the lock on purpose."""
    line = re.search(r"^LOCK_OMITS\s*:=\s*(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    return set(line.split())


def test_lock_holds_every_dependency_of_what_it_pins():
    """`make install` installs the lock with --no-deps: a dependency missing from it would be
    missing from the environment. Walked through the installed packages' metadata, extras
    included (jupyter-events asks for jsonschema[format-nongpl])."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lock = (ROOT / "requirements.lock").read_text()
    pinned = {canonicalize_name(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", lock, re.M)}
    omitted = {canonicalize_name(p) for p in _lock_omits()}
    assert omitted and not omitted & pinned
    missing, seen = set(), set()
    todo = [(name, "") for name in pinned]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # pinned for another platform than this one
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({"extra": extra}):
                continue
            dep = canonicalize_name(req.name)
            if dep in omitted:
                continue
            if dep not in pinned:
                missing.add(f"{dep} (for {name}{f'[{extra}]' if extra else ''})")
            todo += [(dep, e) for e in req.extras]
    assert sorted(missing) == []


def test_nbformat_imports_without_the_omitted_validator():
    """The point of leaving rfc3987-syntax out: importing nbformat (every runner process does)
    builds no grammar. Checked in a child, as this process may have imported it already."""
    import subprocess
    import sys

    code = ("import sys, nbformat, jsonschema\n"
            "print(sorted(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
