"""The fixed parts of every report: the data banner, the key-findings box and the appendix.

Each returns HTML in which every value is escaped here, the one place these
parts are written; labels come from the `common` catalogue of the report's
language. The Recorder displays them; the styles are inline so a report reads
the same in JupyterLab, in report.html and in report.pdf.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from analysis.text import i18n, render

if TYPE_CHECKING:
    import pandas as pd

# Colours a reader cannot miss for simulated data; calm ones for published figures and own files.
BANNER_STYLES = {
    "simulated": "background:#b00020;color:#fff;border-left:8px solid #6d0014",
    "mixed": "background:#e65100;color:#fff;border-left:8px solid #8a3000",
    "published": "background:#e8f5e9;color:#1b5e20;border-left:8px solid #2e7d32",
    "real": "background:#e3f2fd;color:#0d47a1;border-left:8px solid #1565c0",
    "none": "background:#eeeeee;color:#333;border-left:8px solid #888",
}
FINDINGS_STYLE = ("border:1px solid #9fb8d9;border-left:6px solid #1565c0;background:#f5f8fc;"
                  "padding:6px 18px 8px;margin:14px 0 18px;border-radius:4px")
APPENDIX_STYLE = "border-top:3px solid #888;margin-top:2.5em;padding-top:0.5em;font-size:0.92em"
SHA_SHOWN = 16  # hex digits of a sha256 shown in the table; the whole digest is its tooltip


def banner_style(kind_set: str, data_kind: str) -> str:
    if data_kind in ("simulated", "mixed"):
        return BANNER_STYLES[data_kind]
    if kind_set == "none":
        return BANNER_STYLES["none"]
    return BANNER_STYLES["published" if kind_set == "published" else "real"]


def banner(kind_set: str, data_kind: str, lang: str) -> str:
    """The data banner for the kinds of input a report read (see `provenance.kind_set`)."""
    style = banner_style(kind_set, data_kind)
    text = html.escape(i18n.t("banner_" + kind_set, lang))
    return (f'<div class="data-kind data-kind-{data_kind} data-kinds-{kind_set}" role="note" '
            f'style="{style};padding:10px 14px;font-size:1.12em;font-weight:bold;border-radius:4px;'
            f'margin:8px 0 12px">{text}</div>')


def kind_words(kind_set: str, lang: str) -> str:
    """A report's data kind in a few words, for the index page."""
    return i18n.t("kinds_" + kind_set, lang)


# key findings ------------------------------------------------------------------
class _Blocks(HTMLParser):
    """The text of each paragraph or list item of an HTML fragment, headings left out."""

    BLOCKS = {"p", "li", "div"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.in_heading = 0

    def _close(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HEADINGS:
            self.in_heading += 1
        if tag in self.BLOCKS | self.HEADINGS | {"br", "ul", "ol"}:
            self._close()

    def handle_endtag(self, tag):
        if tag in self.HEADINGS:
            self.in_heading = max(0, self.in_heading - 1)
            self.current = []
        elif tag in self.BLOCKS | {"ul", "ol"}:
            self._close()

    def handle_data(self, data):
        if not self.in_heading:
            self.current.append(data)


def text_blocks(fragment: str) -> list[str]:
    """Paragraphs and list items of an HTML fragment as plain text (headings left out)."""
    parser = _Blocks()
    parser.feed(str(fragment))
    parser.close()
    parser._close()
    return parser.blocks


def heading_text(fragment: str) -> str:
    """The text of the first heading of an HTML fragment (a report's title), else its text."""
    match = re.search(r"<h[1-6][^>]*>(.*?)</h[1-6]>", str(fragment), re.S)
    inner = match.group(1) if match else str(fragment)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", inner))).strip()


def plain_text(fragment: str) -> str:
    return " ".join(text_blocks(fragment))


def first_sentence(text: str) -> str:
    """Up to the first full stop, question or exclamation mark followed by a space (26.203 is one number)."""
    match = re.search(r"[.!?…](?=\s)", text)
    return text[: match.end()].strip() if match else text.strip()


def findings_box(fragment: str, lang: str) -> str:
    """The key-findings box around a report's `key_findings` template; a heading unless it has one."""
    body = str(fragment)
    title = i18n.t("key_findings_heading", lang)
    # a template that opens with a heading, or with the words of the heading ("Key findings. …"), has one
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", body))).strip()
    has_heading = re.match(r"\s*<h[1-6]\b", body) is not None or words.lower().startswith(title.lower())
    heading = "" if has_heading else (
        f'<h2 style="margin-top:6px">{html.escape(title)}</h2>')
    return f'<div class="key-findings" role="note" style="{FINDINGS_STYLE}">{heading}{body}</div>'


# the appendix ------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]], cls: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="report-table {cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def parameter_label(name: str, lang: str) -> str:
    key = "param_" + name
    return i18n.t(key, lang) if i18n.has(key, lang) else name.replace("_", " ")


def metric_label(name: str, lang: str) -> str:
    """A key figure's name in the reader's language, where a catalogue has it (`metric_<name>`)."""
    key = "metric_" + name
    return i18n.t(key, lang) if i18n.has(key, lang) else name.replace("_", " ")


PCT_WORDS = ("share", "rate", "pct_", "p_target", "return_within", "amplitude", "achievement", "growth")
COUNT_WORDS = ("projected", "expected", "units", "donors", "newcomers", "registrations")


def metric_kind(name: str, value: object) -> str | None:
    """How a key figure is written: a share as a percentage, a yield with three decimals, a count
    from a model in whole units; else as its value asks (see `display.cell`)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if any(w in name for w in PCT_WORDS):
        return "pct"
    if "yield" in name:
        return "num3"
    if isinstance(value, float) and abs(value) >= 10 and any(w in name for w in COUNT_WORDS):
        return "int"
    return None


def qualifier_of(name: str, metrics: Mapping[str, object]) -> str | None:
    """The qualifier a key figure carries beside it: `<name>_qualifier`, else `<first word>_qualifier`
    (hist_turns → hist_qualifier, total_donations → total_qualifier)."""
    for key in (f"{name}_qualifier", f"{name.split('_')[0]}_qualifier"):
        if key != name and isinstance(metrics.get(key), str):
            return metrics[key]
    return None


def metric_value(name: str, value: object, lang: str, qualifier: str | None = None) -> str:
    """A key figure as a reader reads it; `qualifier` ('at_least', ...) is put before a number."""
    if isinstance(value, str) and value in i18n.QUALIFIER_WORDS["en"]:
        key = "qualifier_" + value
        return i18n.t(key, lang) if i18n.has(key, lang) else value
    from analysis.output import display as fmt  # numpy and pandas: not for the index page's findings

    text = fmt.cell(value, lang, metric_kind(name, value))
    if qualifier in i18n.QUALIFIER_WORDS["en"] and isinstance(value, int | float):
        return i18n.fmt_qualified(text, qualifier, lang)
    return text


def metrics_table(metrics: Mapping[str, object], lang: str) -> str:
    rows = [[html.escape(metric_label(k, lang)),
             html.escape(metric_value(k, v, lang, qualifier_of(k, metrics))),
             f"<code>{html.escape(k)}</code>"] for k, v in metrics.items()]
    return _table([i18n.t("figure", lang), i18n.t("value", lang), i18n.t("metric_name", lang)],
                  rows, "key-figures")


def metrics_frame(metrics: Mapping[str, object], lang: str) -> pd.DataFrame:
    """The key figures as the Excel summary holds them, headed in the reader's language: each
    figure's label, its value (a number stays a number; a qualifier is a word) and its name
    in metrics.json."""
    def value(v: object) -> object:
        if isinstance(v, str) and v in i18n.QUALIFIER_WORDS["en"]:
            return metric_value("", v, lang)
        return v

    import pandas as pd  # only the Excel summary needs it

    return pd.DataFrame({
        i18n.t("figure", lang): [metric_label(k, lang) for k in metrics],
        i18n.t("value", lang): [value(v) for v in metrics.values()],
        i18n.t("metric_name", lang): list(metrics),
    })


def shown_path(path: str) -> str:
    """A path inside the project as it is (data/published/totals.csv); an outside file by its name only."""
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() or path.startswith("~"):
        return PureWindowsPath(path).name  # reads both / and \\ as separators
    return path


def inputs_table(inputs: list[dict], lang: str) -> str:
    from analysis.output import display as fmt

    rows = []
    for item in inputs:
        rows.append([
            html.escape(shown_path(item["path"])),
            html.escape(i18n.t("kind_" + item["kind"], lang)),
            html.escape(fmt.cell(item.get("rows"), lang, "int")),
            f'<code title="{html.escape(item["sha256"])}">{html.escape(item["sha256"][:SHA_SHOWN])}…</code>',
        ])
    headers = [i18n.t("input_file", lang), i18n.t("data_kind", lang), i18n.t("input_rows", lang), "sha256"]
    return _table(headers, rows, "inputs")


def appendix(lang: str, params: Mapping[str, object], inputs: list[dict], sources: pd.DataFrame | None,
             metrics: Mapping[str, object], versions: Mapping[str, str], generated_at: dt.datetime) -> str:
    """Parameters, inputs, sources, key figures and versions, each under its heading."""
    from analysis.output import display as fmt

    def h(key: str) -> str:
        return f"<h3>{html.escape(i18n.t(key, lang))}</h3>"

    parts = [f"<h2>{html.escape(i18n.t('appendix', lang))}</h2>"]
    parts += [h("parameters"), _table(
        [i18n.t("parameter", lang), i18n.t("value", lang)],
        [[html.escape(parameter_label(k, lang)), html.escape(fmt.parameter_value(k, v, lang))]
         for k, v in params.items()], "parameters")]
    if inputs:
        parts += [h("inputs"), inputs_table(inputs, lang)]
    if sources is not None and len(sources):
        parts.append(render.render("common", "sources", lang, sources=list(sources.itertuples())))
    if metrics:  # a notebook's own key-figures table, shown after the appendix, takes this place
        parts.append(f'<div class="appendix-key-figures">{h("key_figures_heading")}'
                     f"{metrics_table(metrics, lang)}</div>")
    made = f"{i18n.fmt_date(generated_at.date(), lang)} {generated_at:%H:%M}"
    software = " · ".join(f"{('Python' if k == 'python' else k)} {v}" for k, v in versions.items())
    parts += [h("versions"), f'<p class="versions">{html.escape(software)}</p>',
              f'<p class="generated">{html.escape(i18n.t("generated_at", lang, when=made))}</p>']
    return f'<div class="appendix" style="{APPENDIX_STYLE}">{"".join(parts)}</div>'
