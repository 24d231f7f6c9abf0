"""What a notebook hands to its report: banner, provenance, figures, tables, key figures.

A notebook makes one `Recorder` after its parameters cell. When the runner
passes `output_dir`, figures go to `figures/*.png`, tables to `tables/*.csv`
and the key figures to `metrics.json`; without it (a plain papermill or
JupyterLab run) everything is only shown inline.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis import config
from analysis.text import i18n

METRICS_FILE = "metrics.json"


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


class Recorder:
    def __init__(self, notebook: str, output_dir: str | None, lang: str, params: dict):
        self.notebook = notebook
        self.lang = i18n.check_lang(lang)
        self.params = params
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

    def header(self, sources: pd.DataFrame | None = None) -> None:
        """Banner (simulated or real), then the parameters and inputs used."""
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
                f"{i18n.t(kind + '_banner', self.lang)}</div>"
            )
        )
        shown = {k: v for k, v in self.params.items() if k != "output_dir"}
        params = pd.DataFrame(
            {i18n.t("parameters", self.lang): list(shown), "": [repr(v) for v in shown.values()]}
        )
        display(params.style.hide(axis="index"))
        if self.inputs:
            rows = pd.DataFrame(self.inputs)
            rows["kind"] = rows["kind"].map(lambda k: i18n.t("kind_" + k, self.lang))
            rows["sha256"] = rows["sha256"].str[:16] + "…"
            names = {"path": i18n.t("inputs", self.lang), "kind": i18n.t("data_kind", self.lang)}
            display(rows.rename(columns=names).style.hide(axis="index"))
        if sources is not None and len(sources):
            lines = [
                f"- **{r.publisher}**, “{r.title}”"
                + (f", {r.address}" if isinstance(r.address, str) and r.address else "")
                + (f" ({r.published_date})" if isinstance(r.published_date, str) else "")
                for r in sources.itertuples()
            ]
            display(Markdown(f"**{i18n.t('sources', self.lang)}**\n\n" + "\n".join(lines)))

    # outputs ----------------------------------------------------------------
    def say(self, text: str) -> None:
        """Show a piece of the story (markdown, already in the report's language)."""
        display(Markdown(text))

    def figure(self, fig, name: str) -> None:
        """Show a figure inline as PNG and save it as figures/<name>.png.

        The PNG is rendered here, not by the notebook's matplotlib backend, so
        the report holds the image whatever backend the kernel runs with.
        """
        import io

        import matplotlib.pyplot as plt
        from IPython.display import Image

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = buffer.getvalue()
        if self.out:
            (self.out / "figures" / f"{name}.png").write_bytes(png)
        display(Image(data=png, format="png"))

    def table(self, frame: pd.DataFrame, name: str, show: bool = True) -> None:
        """Save a table as tables/<name>.csv (UTF-8 with BOM, so Excel reads the accents)."""
        if self.out:
            from analysis.output import cells  # text that would run as a formula is written inert

            path = self.out / "tables" / f"{name}.csv"
            cells.for_csv(frame).to_csv(path, index=False, encoding="utf-8-sig")
        if show:
            self.show(frame)

    def show(self, *tables) -> None:
        """Display tables for the reader: a plain row counter (0, 1, 2…) is not shown."""
        for table in tables:
            frame = getattr(table, "data", table)  # a Styler keeps its frame in .data
            plain = isinstance(frame, pd.DataFrame) and isinstance(frame.index, pd.RangeIndex)
            if plain and isinstance(table, pd.DataFrame):
                display(HTML(table.to_html(index=False, na_rep="")))
            elif plain:
                display(table.hide(axis="index"))
            else:
                display(table)

    def metrics(self, values: dict[str, object]) -> None:
        self.values.update({k: to_json_value(v) for k, v in values.items()})

    def finish(self) -> None:
        """Write metrics.json and print the key figures (the cell nbval compares)."""
        if self.out:
            payload = {"metrics": self.values, "meta": {"inputs": self.inputs, "data_kind": self.data_kind}}
            (self.out / METRICS_FILE).write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
        width = max(len(k) for k in self.values) if self.values else 0
        for key, value in self.values.items():
            shown = f"{value:.4f}" if isinstance(value, float) else str(value)
            print(f"{key:<{width}}  {shown}")
