"""Every params file runs through the runner; every report carries the contract's key figures."""

from __future__ import annotations

import json

import yaml
from conftest import ROOT
from contract import CONTRACT, CONTRACT_TABLES, META


def test_every_params_file_publishes_every_notebook(fresh_reports):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert set(notebooks) == set(CONTRACT)
    for run in runs:
        named = yaml.safe_load((ROOT / "params" / f"{run}.yaml").read_text("utf-8")) or {}
        for notebook in named.get("notebooks") or notebooks:  # a params file may name its notebooks
            folder = out / run / notebook
            payload = json.loads((folder / "metrics.json").read_text("utf-8"))
            missing = [k for k in CONTRACT[notebook] if k not in payload["metrics"]]
            assert not missing, f"{run}/{notebook} lacks {missing}"
            assert META <= set(payload["meta"]), f"{run}/{notebook} meta incomplete"
            assert payload["meta"]["data_kind"] in ("real", "simulated", "mixed")
            for inp in payload["meta"]["inputs"]:
                assert set(inp) == {"path", "sha256", "kind", "rows"} and len(inp["sha256"]) == 64
                assert inp["kind"] in ("published", "real", "simulated")
                assert inp["rows"] is None or inp["rows"] >= 0
            if notebook in CONTRACT_TABLES:
                assert (folder / "tables" / CONTRACT_TABLES[notebook]).is_file()
        assert (out / run / "summary.xlsx").is_file()


def expected_kind(path: str) -> str:
    if path.startswith("data/example/"):
        return "simulated"
    return "published" if path.startswith("data/published/") else "real"


def test_inputs_are_labelled_by_kind(fresh_reports):
    out, _ = fresh_reports
    for metrics in out.glob("*/*/metrics.json"):
        meta = json.loads(metrics.read_text("utf-8"))["meta"]
        kinds = {i["kind"] for i in meta["inputs"]}
        assert all(i["kind"] == expected_kind(i["path"]) for i in meta["inputs"]), meta["inputs"]
        assert meta["data_kind"] == ("simulated" if kinds == {"simulated"} else
                                     "mixed" if "simulated" in kinds else "real")
        if "simulated" in kinds:
            assert meta["data_kind"] in ("simulated", "mixed")
            assert (
                "mô phỏng" in (metrics.parent / "report.html").read_text("utf-8").lower()
                or "simulated" in (metrics.parent / "report.html").read_text("utf-8").lower()
            )
