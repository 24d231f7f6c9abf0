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
import hashlib
import html
import json
import math
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis import config
from analysis.model import disclosure
from analysis.text import i18n, render

METRICS_FILE = "metrics.json"
# The stated precision of the key figures: `finish()` prints floats rounded to
# this many decimals, so nbval (which compares text, with no tolerance) and
# `make refresh` see a figure move only when it changes at this precision.
KEY_FIGURE_DECIMALS = 4


def key_figure_text(value) -> str:
    """A key figure as the key-figure cell prints it: floats rounded, -0.0000 shown as 0.0000."""
    if isinstance(value, float):
        return f"{round(value, KEY_FIGURE_DECIMALS) + 0.0:.{KEY_FIGURE_DECIMALS}f}"
    return str(value)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def data_kind(kinds: list[str]) -> str:
    """'real', 'simulated' or 'mixed' for the kinds of a report's inputs."""
    found = set(kinds)
    if found == {"simulated"}:
        return "simulated"
    if "simulated" in found:
        return "mixed"
    return "real"


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
        if self.out:
            (self.out / "figures").mkdir(parents=True, exist_ok=True)
            (self.out / "tables").mkdir(parents=True, exist_ok=True)

    # provenance -----------------------------------------------------------
    def input(self, path: str | Path) -> Path:
        """Record an input file (its sha256, real or simulated) and return its full path."""
        full = config.resolve(path)
        shown = str(path)
        try:
            shown = str(full.relative_to(config.ROOT))
        except ValueError:
            pass
        kind = "simulated" if config.is_simulated(full) else "real"
        if full.is_file() and shown not in {i["path"] for i in self.inputs}:
            self.inputs.append({"path": shown, "sha256": sha256(full), "kind": kind})
        return full

    @property
    def data_kind(self) -> str:
        return data_kind([i["kind"] for i in self.inputs])

    def header(self) -> None:
        """The data banner: which kind of data the report stands on, in words no reader can miss."""
        kind = self.data_kind
        style = {
            "simulated": "background:#b00020;color:#fff",
            "mixed": "background:#e65100;color:#fff",
            "real": "background:#e8f5e9;color:#1b5e20",
        }[kind]
        display(
            HTML(
                f'<div class="data-kind data-kind-{kind}" style="{style};padding:10px 14px;'
                f'font-size:1.15em;font-weight:bold;border-radius:4px">'
                f"{html.escape(i18n.t(kind + '_banner', self.lang))}</div>"
            )
        )

    def appendix(self, sources: pd.DataFrame | None = None) -> None:
        """The appendix, last in the report: parameters, inputs (kind, sha256) and sources."""
        shown = {k: v for k, v in self.params.items() if k != "output_dir"}
        params = pd.DataFrame(
            {i18n.t("parameters", self.lang): list(shown), "": [repr(v) for v in shown.values()]}
        )
        parts = [params.to_html(index=False, na_rep="")]
        if self.inputs:
            rows = pd.DataFrame(self.inputs)
            rows["kind"] = rows["kind"].map(lambda k: i18n.t("kind_" + k, self.lang))
            rows["sha256"] = rows["sha256"].str[:16] + "…"
            names = {"path": i18n.t("inputs", self.lang), "kind": i18n.t("data_kind", self.lang)}
            parts.append(rows.rename(columns=names).to_html(index=False, na_rep=""))
        if sources is not None and len(sources):
            parts.append(render.render("common", "sources", self.lang, sources=list(sources.itertuples())))
        display(HTML('<div class="appendix">' + "".join(parts) + "</div>"))

    # outputs ----------------------------------------------------------------
    def say(self, section: str, **context) -> None:
        """Show the paragraph(s) of `section` from its template, filled from `context`."""
        display(HTML(render.render(self.notebook, section, self.lang, **context)))

    def markdown(self, text: str) -> None:
        """Show text built in Python (being replaced by templates); markup in it is escaped."""
        display(Markdown(html.escape(text, quote=False)))

    def figure(self, fig, name: str, alt: str | None = None) -> None:
        """Show a figure inline as PNG and save it as figures/<name>.png.

        The PNG is rendered here, not by the notebook's matplotlib backend, so
        the report holds the image whatever backend the kernel runs with. It is
        shown as an <img> with `alt` text (default: the figure's title), which
        screen readers and the printed report's text keep.
        """
        import base64
        import io

        import matplotlib.pyplot as plt

        alt = alt or figure_title(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = buffer.getvalue()
        if self.out:
            (self.out / "figures" / f"{name}.png").write_bytes(png)
        data = base64.b64encode(png).decode("ascii")
        display(HTML(f'<img class="figure" src="data:image/png;base64,{data}" '
                     f'alt="{html.escape(alt)}" style="max-width:100%">'))

    def findings(self, **context) -> None:
        """The key-findings box (the report's `key_findings` template), before the first figure."""
        text = render.render(self.notebook, "key_findings", self.lang, **context)
        display(HTML(f'<div class="key-findings">{text}</div>'))

    def table(self, table: disclosure.Safe, name: str, show: bool = True) -> None:
        """Save a table that passed the small-cell rule as tables/<name>.csv (UTF-8 with BOM,
        so Excel reads the accents), and show it unless `show` is False."""
        frame = disclosure.require(table).frame
        if self.out:
            from analysis.output import cells  # text that would run as a formula is written inert

            path = self.out / "tables" / f"{name}.csv"
            cells.for_csv(frame).to_csv(path, index=False, encoding="utf-8-sig")
        if show:
            self.show(frame)

    def show(self, *tables: pd.DataFrame) -> None:
        """Display tables made for the reader (already in their language); cells are escaped.

        A plain row counter (0, 1, 2…) is not shown; a meaningful index is.
        """
        for frame in tables:
            plain = isinstance(frame.index, pd.RangeIndex)
            display(HTML(frame.to_html(index=not plain, na_rep="", escape=True)))

    def metrics(self, values: dict[str, object]) -> None:
        self.values.update({k: to_json_value(v) for k, v in values.items()})

    def finish(self) -> None:
        """Write metrics.json and print the key figures (the cell nbval compares)."""
        if self.out:
            payload = {"metrics": self.values, "meta": {"inputs": self.inputs, "data_kind": self.data_kind}}
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
