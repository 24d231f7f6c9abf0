"""The package's layers, checked from its imports: arrows point one way, no cycles.

Low to high: the foundation (config, errors, qualified numbers), text, inputs
(the only layer that opens input files), model, output (report making), one
subpackage per report, simulated examples, and run (CLI, runner). A module may
import its own layer and the layers below it; reports never import each
other. Imports inside functions count too: a deferred import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
LAYERS = [
    {"analysis.config", "analysis.errors", "analysis.qualified", "analysis"},
    {"analysis.text"},
    {"analysis.inputs"},
    {"analysis.model"},
    {"analysis.output"},
    {"analysis.reports"},
    {"analysis.simulate"},
    {"analysis.run", "analysis.__main__"},
]
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    for depth in (3, 2, 1):
        prefix = ".".join(module.split(".")[:depth])
        for level, names in enumerate(LAYERS):
            if prefix in names:
                return level
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def unit_of(module: str) -> str:
    """The unit a report belongs to (analysis.reports.trends), else its layer's package."""
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[1:2] == ["reports"] and len(parts) > 2 else ".".join(parts[:2])


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names
                      if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).exists()
                      or (PACKAGE.parent / (f"{node.module}.{a.name}".replace(".", "/") + ".py")).exists()}
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {m for m in imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    wrong = [m for m in GRAPH[module] if layer_of(m) > layer_of(module)]
    assert not wrong, f"{module} imports a higher layer: {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("analysis.reports.")))
def test_reports_do_not_import_each_other(module):
    others = [m for m in GRAPH[module]
              if m.startswith("analysis.reports.") and unit_of(m) != unit_of(module)]
    assert not others, f"{module} imports another report: {others}"


def test_no_cycles():
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt != module_parent(node):
                visit(nxt)
        stack.pop()

    for name in sorted(GRAPH):
        visit(name)
    assert not cycles, f"import cycles: {cycles[:3]}"


def module_parent(name: str) -> str:
    return name.rpartition(".")[0]


def test_the_checker_sees_a_wrong_arrow():
    assert layer_of("analysis.inputs.load") < layer_of("analysis.reports.trends.compute")
    assert layer_of("analysis.run.cli") == len(LAYERS) - 1
    assert unit_of("analysis.reports.trends.charts") != unit_of("analysis.reports.donor_retention.compute")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_hold_one_idea(module):
    lines = len(MODULES[module].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"
