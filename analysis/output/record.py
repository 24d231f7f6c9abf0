"""What a notebook hands to its report: banner, provenance, text, figures, tables, key figures.

A notebook makes one `Recorder(name, globals())` after its parameters cell; the
Recorder reads the notebook's own parameters cell for the names to record, so
no notebook lists them twice. When the runner passes `output_dir`, figures go
to `figures/*.png`, tables to `tables/*.csv` and the key figures to
`metrics.json`; without it (a plain papermill or JupyterLab run) everything is
only shown inline. Text comes from templates (`say`), tables only from
`disclosure.Safe` tables: the Recorder is the one way out of a notebook.
"""

from __future__ import annotations

import ast
import atexit
import datetime as dt
import gc
import html
import json
import math
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from analysis import config
from analysis.model import disclosure
from analysis.output import appendix as appendix_html
from analysis.output import cells, provenance
from analysis.output import display as fmt
from analysis.output.provenance import METRICS_FILE, data_kind, sha256  # noqa: F401  (part of this module's face)
from analysis.text import i18n, render

# A kernel that imported a report ends without the interpreter's last sweep for reference
# cycles: it walks every object of pandas, matplotlib and scipy to free memory the
# ending process gives back anyway (0.6 s of each kernel's exit). Objects are still
# freed as their last reference goes, so a file left open is still flushed and closed.
atexit.register(gc.freeze)

# The stated precision of the key figures: `finish()` prints floats rounded to
# this many decimals, so nbval (which compares text, with no tolerance) and
# `make refresh` see a figure move only when it changes at this precision.
KEY_FIGURE_DECIMALS = 4


def key_figure_text(value) -> str:
    """A key figure as the key-figure cell prints it: floats rounded, -0.0000 shown as 0.0000."""
    if isinstance(value, float):
        return f"{round(value, KEY_FIGURE_DECIMALS) + 0.0:.{KEY_FIGURE_DECIMALS}f}"
    return str(value)


def to_json_value(value):
    """Numbers, strings and None as metrics.json holds them (NaN becomes null)."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, int | float | str):
        return value
    return str(value)


def parameter_names(notebook: str) -> list[str]:
    """The names a notebook declares in its cell tagged `parameters` (as papermill reads it)."""
    path = config.NOTEBOOKS / f"{notebook}.ipynb"
    cells = json.loads(path.read_text("utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse("".join(cell["source"]))
            return [node.target.id if isinstance(node, ast.AnnAssign) else node.targets[0].id
                    for node in tree.body if isinstance(node, ast.AnnAssign | ast.Assign)]
    raise LookupError(f"{path.name} has no cell tagged 'parameters'")


class Recorder:
    def __init__(self, notebook: str, namespace: dict):
        """`namespace` is the notebook's globals(): its parameters are read from there."""
        self.notebook = notebook
        self.params = {name: namespace[name] for name in parameter_names(notebook)}
        self.lang = i18n.check_lang(self.params.get("lang", "vi"))
        output_dir = self.params.get("output_dir")
        self.out = Path(output_dir) if output_dir else None
        self.inputs: list[dict] = []
        self.values: dict[str, object] = {}
        self.title = ""
        self.key_findings: list[str] = []
        self.saved: list[tuple[str, int]] = []  # (table name, rows) of every table saved, in order
        if self.out:
            (self.out / "figures").mkdir(parents=True, exist_ok=True)
            (self.out / "tables").mkdir(parents=True, exist_ok=True)

    # provenance -----------------------------------------------------------
    def input(self, path: str | Path, rows: int | None = None) -> Path:
        """Record an input file (its kind, rows and sha256) and return its full path.

        The kind is 'published' under data/published/, 'simulated' under
        data/example/, else 'real' (the analyst's own file). `rows` is the number
        of rows loaded, when the caller knows it; else the file's data rows are counted.
        """
        full = config.resolve(path)
        shown = str(path)
        try:
            shown = str(full.relative_to(config.ROOT))
        except ValueError:
            pass
        known = {i["path"]: i for i in self.inputs}
        if full.is_file() and shown not in known:
            self.inputs.append({
                "path": shown,
                "sha256": sha256(full),
                "kind": config.input_kind(full),
                "rows": rows if rows is not None else provenance.rows_in_file(full),
            })
        elif shown in known and rows is not None:
            known[shown]["rows"] = rows
        return full

    @property
    def data_kind(self) -> str:
        return data_kind([i["kind"] for i in self.inputs])

    @property
    def kind_set(self) -> str:
        return provenance.kind_set([i["kind"] for i in self.inputs])

    def header(self) -> None:
        """The data banner: which kind of data the report stands on, in words no reader can miss."""
        display(HTML(appendix_html.banner(self.kind_set, self.data_kind, self.lang)))

    def findings(self, **context) -> None:
        """The key-findings box (the report's `key_findings` template), before the first figure.

        The box carries its own heading unless the template starts with one; its
        text is kept for the index page, which shows its first sentence.
        """
        text = render.render(self.notebook, "key_findings", self.lang, **context)
        self.key_findings = appendix_html.text_blocks(text)
        display(HTML(appendix_html.findings_box(text, self.lang)))

    def appendix(self, sources: pd.DataFrame | None = None) -> None:
        """The appendix, last in the report: parameters, inputs (kind, rows, sha256), sources,
        the key figures recorded so far (call `metrics` first) and the software's versions."""
        shown = {k: v for k, v in self.params.items() if k != "output_dir"}
        display(HTML(appendix_html.appendix(
            self.lang, params=shown, inputs=self.inputs, sources=sources, metrics=self.values,
            versions=provenance.versions(), generated_at=dt.datetime.now().astimezone(),
        )))

    # outputs ----------------------------------------------------------------
    def say(self, section: str, **context) -> None:
        """Show the paragraph(s) of `section` from its template, filled from `context`."""
        text = render.render(self.notebook, section, self.lang, **context)
        if section == "title" and not self.title:
            self.title = appendix_html.heading_text(text)
        display(HTML(text))

    def figure(self, fig, name: str, alt: str | None = None) -> None:
        """Show a figure inline as PNG and save it as figures/<name>.png.

        The PNG is rendered here, not by the notebook's matplotlib backend, so
        the report holds the image whatever backend the kernel runs with. It is
        shown as an <img> with `alt` text (default: the figure's title, else its
        axis labels), which screen readers and the printed report's text keep.
        """
        import base64
        import io

        import matplotlib.pyplot as plt

        alt = alt or figure_title(fig) or i18n.t("figure_alt_default", self.lang)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = buffer.getvalue()
        if self.out:
            (self.out / "figures" / f"{name}.png").write_bytes(png)
        data = base64.b64encode(png).decode("ascii")
        display(HTML(f'<img class="figure" src="data:image/png;base64,{data}" '
                     f'alt="{html.escape(alt)}" style="max-width:100%">'))

    def table(self, table: disclosure.Safe, name: str, show: bool = True,
              kinds: dict[str, str] | None = None) -> None:
        """Save a table that passed the small-cell rule as tables/<name>.csv (UTF-8 with BOM,
        so Excel reads the accents), and show it unless `show` is False (`kinds`: see `show`)."""
        frame = disclosure.require(table).frame
        if self.out:
            path = self.out / "tables" / f"{name}.csv"
            cells.for_csv(frame).to_csv(path, index=False, encoding="utf-8-sig")  # formulas made inert
        self.saved.append((name, len(frame)))
        if show:
            self.show(frame, kinds=kinds, source=name)

    def show(self, *tables: pd.DataFrame, kinds: dict[str, str] | None = None,
             source: str | None = None) -> None:
        """Display tables made for the reader (headers already in their language); cells are escaped.

        Every value is written in the report's number formats (`display.formatted`;
        `kinds` names a column's kind where the values alone would mislead: a share
        is 'pct', a count from a model 'int'). A plain row counter (0, 1, 2…) is not
        shown; a meaningful index is. A table longer than `display.LONG_TABLE` rows
        shows its head and tail and says where the whole table is: `source` names
        the saved table (tables/<source>.csv); without it, the last saved table of
        the same length.
        """
        for frame in tables:
            plain = isinstance(frame.index, pd.RangeIndex)
            shown = fmt.formatted(frame, self.lang, kinds)
            note = ""
            if len(frame) > fmt.LONG_TABLE:
                shown = fmt.head_and_tail(shown)
                note = self._where_whole(len(frame), source)
            body = shown.to_html(index=not plain, na_rep="", escape=True,
                                 classes="report-table", border=0)
            display(HTML(body + note))

    def _where_whole(self, rows: int, source: str | None) -> str:
        """The line under a cut table: how many rows it has, and where the whole table is."""
        if source is None:
            source = next((name for name, n in reversed(self.saved) if n == rows), None)
        fields = {"rows": i18n.fmt_int(rows, self.lang), "head": fmt.HEAD_ROWS, "tail": fmt.TAIL_ROWS}
        text = html.escape(i18n.t("table_cut", self.lang, **fields))
        if source is not None and self.out:
            csv_name = html.escape(f"tables/{source}.csv")
            sheet = html.escape(fmt.sheet_name(self.notebook, source))
            text += " " + i18n.t(
                "table_whole", self.lang,
                csv=f'<a href="{csv_name}">{csv_name}</a>',
                sheet=f"“{sheet}”",
                workbook='<a href="../summary.xlsx">summary.xlsx</a>',
            )
        return f'<p class="table-note">{text}</p>'

    def metrics(self, values: dict[str, object]) -> None:
        self.values.update({k: to_json_value(v) for k, v in values.items()})

    def finish(self) -> None:
        """Write metrics.json and print the key figures (the cell nbval compares).

        The printed lines are for nbval and the analyst; the HTML report leaves
        them out and shows the key figures, translated, in its appendix.
        """
        if self.out:
            meta = {"inputs": self.inputs, "data_kind": self.data_kind, "title": self.title,
                    "key_findings": self.key_findings}
            payload = {"metrics": self.values, "meta": meta}
            (self.out / METRICS_FILE).write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
        width = max(len(k) for k in self.values) if self.values else 0
        for key, value in self.values.items():
            print(f"{key:<{width}}  {key_figure_text(value)}")


def figure_title(fig) -> str:
    """A figure's own title: its suptitle, else its first axes' title (for alt text)."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return titles[0] if titles else ""
