"""Turning an executed notebook into a report folder, and the index of all reports."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

from analysis.output import cells
from analysis.output.record import METRICS_FILE

# Reports are read offline by people who never open Jupyter: no script from a CDN.
EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.S)
HIDDEN_TAGS = {"analyst-note", "parameters", "injected-parameters"}
STATUS_FILE = "status.json"


def export_html(notebook: Path, target: Path) -> None:
    """report.html: outputs and story only; code, prompts and analysts' notes hidden."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook, as_version=4)
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
    nb, _ = remover.preprocess(nb, {})
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang", "vi")
    body = EXTERNAL_SCRIPT.sub("", body)
    body = body.replace("<html>", f'<html lang="{html.escape(str(lang))}">', 1)
    target.write_text(body, encoding="utf-8")


def finish_report(build: Path, run: str, notebook: str, parameters: dict, versions: dict) -> None:
    """Complete metrics.json with its meta block and write report.html."""
    path = build / METRICS_FILE
    recorded = json.loads(path.read_text("utf-8")) if path.is_file() else {"metrics": {}, "meta": {}}
    inputs = recorded.get("meta", {}).get("inputs", [])
    payload = {
        "metrics": recorded.get("metrics", {}),
        "meta": {
            "run": run,
            "notebook": notebook,
            "params": parameters,
            "inputs": inputs,
            "data_kind": recorded.get("meta", {}).get("data_kind", "real"),
            "generated_at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "versions": versions,
        },
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
    export_html(build / "notebook.ipynb", build / "report.html")


def write_run_status(run_dir: Path, results: list[dict]) -> None:
    """Merge this run's results into <run>/status.json (notebooks not run keep theirs)."""
    path = run_dir / STATUS_FILE
    status = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    for r in results:
        entry = {"status": r["status"], "seconds": round(r["seconds"], 2), "message": r["message"]}
        if r["status"] != "up to date":
            entry["finished_at"] = stamp
        else:
            entry["finished_at"] = status.get(r["notebook"], {}).get("finished_at", stamp)
        status[r["notebook"]] = entry
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(status, ensure_ascii=False, indent=2), "utf-8")
    tmp.replace(path)


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    candidate, i = base, 2
    while candidate in used:
        suffix = f"~{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate)
    return candidate


def write_summary_xlsx(run_dir: Path) -> None:
    """summary.xlsx: each notebook's key figures and tables, one sheet each."""
    reports = sorted(p.parent for p in run_dir.glob("*/" + METRICS_FILE))
    if not reports:
        return
    import pandas as pd

    used: set[str] = set()
    tmp = run_dir / ".summary.xlsx.tmp"
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for report in reports:
            metrics = json.loads((report / METRICS_FILE).read_text("utf-8"))["metrics"]
            frame = pd.DataFrame({"figure": list(metrics), "value": list(metrics.values())})
            cells.write_sheet(writer, frame, _sheet_name(report.name, used))
            for table in sorted((report / "tables").glob("*.csv")):
                data = cells.from_csv(pd.read_csv(table, encoding="utf-8-sig"))
                cells.write_sheet(writer, data, _sheet_name(f"{report.name[:14]}-{table.stem}", used))
    tmp.replace(run_dir / "summary.xlsx")


def write_index(out: Path) -> None:
    """reports/index.html: every run × notebook with status, time and links."""
    rows = []
    for status_file in sorted(out.glob("*/" + STATUS_FILE)):
        run_dir = status_file.parent
        for notebook, entry in sorted(json.loads(status_file.read_text("utf-8")).items()):
            report = run_dir / notebook / "report.html"
            failed = run_dir / "failed" / f"{notebook}.ipynb"
            kind = ""
            metrics = run_dir / notebook / METRICS_FILE
            if metrics.is_file():
                kind = json.loads(metrics.read_text("utf-8"))["meta"].get("data_kind", "")
            links = []
            if report.is_file():
                links.append(f'<a href="{run_dir.name}/{notebook}/report.html">report</a>')
                links.append(f'<a href="{run_dir.name}/{notebook}/notebook.ipynb">notebook</a>')
            if entry["status"] == "failed" and failed.is_file():
                links.append(f'<a href="{run_dir.name}/failed/{notebook}.ipynb">failed notebook</a>')
            rows.append(
                f'<tr class="{html.escape(entry["status"].replace(" ", "-"))}">'
                f"<td>{html.escape(run_dir.name)}</td><td>{html.escape(notebook)}</td>"
                f"<td>{html.escape(entry['status'])}</td><td>{html.escape(kind)}</td>"
                f"<td>{html.escape(entry.get('finished_at', ''))}</td>"
                f"<td>{entry['seconds']:.1f}</td><td>{' · '.join(links)}</td>"
                f"<td>{html.escape(entry.get('message') or '')}</td></tr>"
            )
        if (run_dir / "summary.xlsx").is_file():
            rows.append(
                f'<tr><td>{html.escape(run_dir.name)}</td><td colspan="7">'
                f'<a href="{run_dir.name}/summary.xlsx">summary.xlsx</a></td></tr>'
            )
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo / Reports</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}}tr.failed{{background:#fdecea}}</style></head>
<body><h1>Báo cáo / Reports</h1>
<table><thead><tr><th>run</th><th>notebook</th><th>status</th><th>data</th><th>finished</th>
<th>seconds</th><th>links</th><th>message</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out / "index.html")
