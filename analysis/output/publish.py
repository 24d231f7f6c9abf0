"""Turning an executed notebook into a report folder, and the index of all reports."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from pathlib import Path

from analysis.output.index import STATUS_FILE, write_index  # noqa: F401  (the runner's entry point)
from analysis.output.provenance import METRICS_FILE

# Publishing a report imports pandas and nbconvert where it needs them, so that a run
# whose reports are all up to date (status and index only) does not pay for them.

# Reports are read offline by people who never open Jupyter: no script from a CDN.
EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.S)
HIDDEN_TAGS = {"analyst-note", "parameters", "injected-parameters"}
HTML_TAG = re.compile(r"<html(\s[^>]*)?>")
STYLE = Path(__file__).resolve().parent / "report.css"


def for_readers(nb) -> dict[str, int]:
    """Leave out of an executed notebook what a reader must not see; count what was left out.

    - stderr streams (Python warnings, library chatter): never in a report;
    - outputs that are only a plain-text repr (`<Figure ...>`, a stray value);
    - the key-figure cell's code-style lines (`keep_output`: kept in the notebook
      for nbval), the appendix showing the key figures translated and formatted;
    - nothing stands after the appendix: what a notebook shows after it (its own
      key-figures heading and table) moves into it, in place of the appendix's own
      key-figures table when it brings a table; a heading alone (over the
      key-figure lines) and anything but HTML after it are left out.
    """
    dropped = {"stderr": 0, "repr": 0, "after_appendix": 0}
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                dropped["stderr"] += 1
            elif output.get("output_type") in ("execute_result", "display_data") and set(
                output.get("data", {})
            ) <= {"text/plain"}:
                dropped["repr"] += 1
            else:
                kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
        if cell.get("metadata", {}).get("keep_output"):
            cell.outputs = []
    last = next((i for i, cell in enumerate(nb.cells) if _appendix_output(cell) is not None), None)
    if last is not None:
        moved = []
        for cell in nb.cells[last + 1:]:
            for output in cell.get("outputs", []):
                text = _html(output)
                if text:
                    moved.append(HEADING.sub(r"<\1h3", text))
                else:
                    dropped["after_appendix"] += 1
        if moved and not _only_headings("".join(moved)):
            _move_into_appendix(_appendix_output(nb.cells[last]), "".join(moved))
        elif moved:
            dropped["after_appendix"] += len(moved)
        nb.cells = nb.cells[: last + 1]
    return dropped


HEADING = re.compile(r"<(/?)h2\b")  # a section heading after the appendix becomes one of its headings
KEY_FIGURES_PART = re.compile(r'<div class="appendix-key-figures">.*?</div>', re.S)


def _only_headings(text: str) -> bool:
    """Whether an HTML fragment holds nothing but headings (and no table or image)."""
    rest = re.sub(r"<h([1-6])\b.*?</h\1>", "", text, flags=re.S)
    return "<table" not in rest and "<img" not in rest and not re.sub(r"<[^>]+>|\s", "", rest)


def _html(output) -> str:
    text = output.get("data", {}).get("text/html", "")
    return "".join(text) if isinstance(text, list) else text


def _appendix_output(cell):
    return next((o for o in cell.get("outputs", []) if 'class="appendix"' in _html(o)), None)


def _move_into_appendix(output, extra: str) -> None:
    """Put `extra` inside the appendix: where its key figures were when `extra` has a table, else last."""
    text = _html(output)
    if "<table" in extra and KEY_FIGURES_PART.search(text):
        text = KEY_FIGURES_PART.sub(lambda _: extra, text, count=1)
    else:
        text = text[: text.rindex("</div>")] + extra + "</div>"
    output["data"]["text/html"] = text


@functools.cache
def _exporter():
    """One HTML exporter a process: its templates are compiled once, not once a report."""
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def export_html(notebook: Path, target: Path, title: str = "") -> dict[str, int]:
    """report.html: outputs and story only; code, prompts, analysts' notes and warnings hidden.

    Returns the counts of outputs left out (see `for_readers`).
    """
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook, as_version=4)
    remover = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
    nb, _ = remover.preprocess(nb, {})
    dropped = for_readers(nb)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title or notebook.stem}})
    lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang", "vi")
    body = EXTERNAL_SCRIPT.sub("", body)
    body = HTML_TAG.sub(f'<html lang="{html.escape(str(lang))}">', body, count=1)
    body = body.replace("</head>", f'<style type="text/css">\n{STYLE.read_text("utf-8")}</style>\n</head>', 1)
    target.write_text(body, encoding="utf-8")
    return dropped


def finish_report(build: Path, run: str, notebook: str, parameters: dict, versions: dict) -> dict[str, int]:
    """Complete metrics.json with its meta block and write report.html; returns what the export left out."""
    path = build / METRICS_FILE
    recorded = json.loads(path.read_text("utf-8")) if path.is_file() else {"metrics": {}, "meta": {}}
    meta = recorded.get("meta", {})
    payload = {
        "metrics": recorded.get("metrics", {}),
        "meta": {
            "run": run,
            "notebook": notebook,
            "title": meta.get("title", ""),
            "params": parameters,
            "inputs": meta.get("inputs", []),
            "data_kind": meta.get("data_kind", "real"),
            "key_findings": meta.get("key_findings", []),
            "generated_at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "versions": versions,
        },
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
    return export_html(build / "notebook.ipynb", build / "report.html", meta.get("title", ""))


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
    """summary.xlsx: each notebook's key figures and tables, one sheet each.

    The key-figure sheet is headed in the report's language (its `lang` parameter, else the
    default vi): figure, value, name in metrics.json."""
    reports = sorted(p.parent for p in run_dir.glob("*/" + METRICS_FILE))
    if not reports:
        return
    import pandas as pd

    from analysis.output import cells
    from analysis.output.appendix import metrics_frame
    from analysis.output.display import sheet_name

    used: set[str] = set()
    tmp = run_dir / ".summary.xlsx.tmp"
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for report in reports:
            recorded = json.loads((report / METRICS_FILE).read_text("utf-8"))
            # the report's language; without a lang parameter, every notebook's default
            lang = (recorded.get("meta", {}).get("params") or {}).get("lang") or "vi"
            frame = metrics_frame(recorded["metrics"], lang)
            cells.write_sheet(writer, frame, _sheet_name(report.name, used))
            for table in sorted((report / "tables").glob("*.csv")):
                data = cells.from_csv(pd.read_csv(table, encoding="utf-8-sig"))
                cells.write_sheet(writer, data, _sheet_name(sheet_name(report.name, table.stem), used))
    tmp.replace(run_dir / "summary.xlsx")
