"""reports/index.html: every run and its reports, readable on a phone.

One Jinja2 template with autoescape (`templates/index.html`) is the only
writer of the page, so a run name, a title or a finding reaches it as text.
Each report shows its title, its data kind in words, its key finding in a line
(the first sentence of its key-findings box, else its first key figure), its
status and its links: the HTML report, the PDF (or that it is missing), the
executed notebook.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import Counter
from pathlib import Path

from analysis.output import provenance
from analysis.output.pdf import PDF_FILE
from analysis.output.provenance import METRICS_FILE

# jinja2, babel (through i18n) and the appendix's formatting are imported where the page is
# rendered: a run whose reports are all up to date leaves the page as it is (`write_index`).

STATUS_FILE = "status.json"
# The digest of what the page was last made from (see `write_index`).
MADE_FROM_FILE = ".cache/index.sha256"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# The key figures that say most in a line, best first, when a report has no key-findings box.
HEADLINES = (
    "projected_units", "p_target_met", "units_to_date", "pct_of_target", "total_donations",
    "growth_rate", "donors", "repeat_donor_share", "pool_donors", "newcomers_needed",
    "mean_achievement", "editions",
)


@functools.cache
def environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def key_finding(meta: dict, metrics: dict, lang: str) -> str:
    """The first sentence of the key-findings box, else two headline key figures with a value."""
    from analysis.output import appendix
    from analysis.text import i18n

    blocks = meta.get("key_findings") or []
    if blocks:
        return appendix.first_sentence(blocks[0])
    named = [n for n in (*HEADLINES, *metrics) if n in metrics and i18n.has("metric_" + n, lang)]
    shown = [n for n in dict.fromkeys(named) if isinstance(metrics[n], int | float)][:2]
    return " · ".join(
        f"{appendix.metric_label(n, lang)}: "
        f"{appendix.metric_value(n, metrics[n], lang, appendix.qualifier_of(n, metrics))}" for n in shown)


def _report(run_dir: Path, notebook: str, entry: dict, lang: str) -> dict:
    from analysis.output import appendix
    from analysis.text import i18n

    folder = run_dir / notebook
    metrics_file = folder / METRICS_FILE
    payload = json.loads(metrics_file.read_text("utf-8")) if metrics_file.is_file() else {}
    meta, metrics = payload.get("meta", {}), payload.get("metrics", {})
    own_lang = meta.get("params", {}).get("lang") or lang
    own_lang = own_lang if own_lang in i18n.LANGS else lang
    kinds = [i.get("kind", "real") for i in meta.get("inputs", [])]
    has_report = (folder / "report.html").is_file()
    failed = run_dir / "failed" / f"{notebook}.ipynb"
    status = entry.get("status", "")
    return {
        "notebook": notebook,
        "title": meta.get("title") or notebook.replace("_", " "),
        "lang": own_lang,
        "status": status,
        "status_class": status.replace(" ", "-"),
        "status_words": i18n.t("index_status_" + status.replace(" ", "_"), lang)
        if i18n.has("index_status_" + status.replace(" ", "_"), lang) else status,
        "kind": provenance.kind_set(kinds) if payload else "",
        "kind_words": appendix.kind_words(provenance.kind_set(kinds), lang) if payload else "",
        "data_kind": meta.get("data_kind", ""),
        "finding": key_finding(meta, metrics, own_lang) if payload else "",
        "html": f"{run_dir.name}/{notebook}/report.html" if has_report else "",
        "pdf": f"{run_dir.name}/{notebook}/{PDF_FILE}" if (folder / PDF_FILE).is_file() else "",
        "notebook_file": f"{run_dir.name}/{notebook}/notebook.ipynb" if has_report else "",
        "failed_file": f"{run_dir.name}/failed/{notebook}.ipynb"
        if status == "failed" and failed.is_file() else "",
        "finished": _when(entry.get("finished_at", ""), lang),
        "seconds": i18n.fmt_num(entry.get("seconds", 0.0), lang, 1),
        "message": entry.get("message") or "",
    }


def _when(stamp: str, lang: str) -> str:
    """'03/12/2026 14:19' from an ISO time stamp, in the page's language."""
    from analysis.text import i18n

    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{i18n.fmt_date(moment.date(), lang)} {moment:%H:%M}"


def page_language(out: Path) -> str:
    """The language most reports of `out` are in (Vietnamese when tied or none)."""
    from analysis.text import i18n

    langs = Counter()
    for metrics in out.glob(f"*/*/{METRICS_FILE}"):
        try:
            langs[json.loads(metrics.read_text("utf-8"))["meta"]["params"].get("lang", "vi")] += 1
        except (KeyError, ValueError, AttributeError):
            continue
    best = max(i18n.LANGS, key=lambda lang: (langs[lang], lang == "vi"))
    return best


def runs(out: Path, lang: str) -> list[dict]:
    found = []
    for status_file in sorted(out.glob("*/" + STATUS_FILE)):
        run_dir = status_file.parent
        entries = json.loads(status_file.read_text("utf-8"))
        found.append({
            "name": run_dir.name,
            "reports": [_report(run_dir, nb, entry, lang) for nb, entry in sorted(entries.items())],
            "summary": f"{run_dir.name}/summary.xlsx" if (run_dir / "summary.xlsx").is_file() else "",
        })
    return found


def render_index(out: Path, lang: str | None = None) -> str:
    from analysis.text import i18n

    lang = lang or page_language(out)
    template = environment().get_template("index.html")
    return template.render(
        lang=lang, runs=runs(out, lang), t=lambda key, **fields: i18n.t(key, lang, **fields))


def made_from(out: Path, code: list[bytes]) -> str:
    """A digest of everything the page is made from: the files `runs` and `page_language` read
    or look for under `out`, and `code` (the package's files, which hold the page's template
    and words: see `analysis.run.runner.code_digest`)."""
    digest = hashlib.sha256()
    for pattern in ("*/" + STATUS_FILE, f"*/*/{METRICS_FILE}"):
        for path in sorted(out.glob(pattern)):
            digest.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for pattern in ("*/*/report.html", f"*/*/{PDF_FILE}", "*/failed/*.ipynb", "*/summary.xlsx"):
        for path in sorted(out.glob(pattern)):
            digest.update(path.relative_to(out).as_posix().encode() + b"\0")
    for part in code:
        digest.update(part)
    return digest.hexdigest()


def write_index(out: Path, code: list[bytes] | None = None) -> bool:
    """reports/index.html, written whole and swapped into place; whether it was written.

    Given the package's `code`, a page made from the same files by the same code is
    left as it is: a run with every report up to date then renders nothing.
    """
    stamp = out / MADE_FROM_FILE
    key = made_from(out, code) if code is not None else ""
    if key and (out / "index.html").is_file() and stamp.is_file() and stamp.read_text().strip() == key:
        return False
    tmp = out / ".index.html.tmp"
    tmp.write_text(render_index(out), encoding="utf-8")
    tmp.replace(out / "index.html")
    if key:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key)
    elif stamp.is_file():
        stamp.unlink()
    return True
