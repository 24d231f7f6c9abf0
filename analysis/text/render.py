"""Paragraphs from templates: one Jinja2 template per report section and language.

A report's text lives in `analysis/text/templates/<lang>/<notebook>/<section>.html`,
filled from a small context (numbers, names, which branch) that the report's
compute code builds. Autoescape is on, so every value a template receives
(a site name, a campaign name, a path) reaches the HTML as text, whatever it
holds: this is the one door through which text reaches a report.

In a template, numbers are formatted in its language by filters:
`{{ n | int }}` 26.203, `{{ y | num(3) }}` 0,853, `{{ share | pct }}` 12,5%,
`{{ day | date }}` 04/08/2023, `{{ figure | q }}` "ít nhất 28.000" (a qualified
number). `t("key")` and `tn("key", "key_plural", n)` read the label catalogue.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from markupsafe import Markup

from analysis.text import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment(lang: str) -> jinja2.Environment:
    """The template environment of one language: its folder, filters and catalogue."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / i18n.check_lang(lang)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        int=lambda v: i18n.fmt_int(v, lang),
        num=lambda v, digits=1: i18n.fmt_num(v, lang, digits),
        pct=lambda v, digits=1: i18n.fmt_pct(v, lang, digits),
        date=lambda v: i18n.fmt_date(v, lang),
        q=lambda v, digits=0: i18n.fmt_q(v, lang, digits),
    )
    env.globals.update(
        t=lambda key, **fields: i18n.t(key, lang, **fields),
        tn=lambda key, plural, n, **fields: i18n.tn(key, plural, n, lang, **fields),
        lang=lang,
    )
    return env


def template_name(notebook: str, section: str) -> str:
    return f"{notebook}/{section}.html"


def render(notebook: str, section: str, lang: str, **context: object) -> Markup:
    """The paragraph(s) of `section` of `notebook` in `lang`, as safe HTML."""
    template = environment(lang).get_template(template_name(notebook, section))
    return Markup(template.render(**context).strip())


def sections(notebook: str, lang: str) -> list[str]:
    """The sections a notebook has templates for in `lang` (for the tests)."""
    folder = TEMPLATES / i18n.check_lang(lang) / notebook
    return sorted(p.stem for p in folder.glob("*.html"))
