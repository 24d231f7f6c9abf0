"""Labels and number/date formats in Vietnamese (default) and English.

Numbers follow the reader's locale through babel: 26.203 and 0,853 in
Vietnamese, 26,203 and 0.853 in English. Every label shown in a report is a
key looked up in the gettext catalogue of its language
(`analysis/text/locale/<lang>/LC_MESSAGES/*.po`: `common.po` and one per
report), which a translator edits without reading Python; the catalogues are
compiled in memory on first use.
Plurals go through `tn` (ngettext), so no code writes "1 regions".
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LANGS = ("vi", "en")
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}

QUALIFIER_WORDS = {
    "vi": {"exact": "", "about": "khoảng", "at_least": "ít nhất", "at_most": "nhiều nhất"},
    "en": {"exact": "", "about": "about", "at_least": "at least", "at_most": "at most"},
}

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalogue_files(lang: str) -> list[Path]:
    """The .po files of `lang`: one for every report's common words, one per report."""
    return sorted((LOCALE_DIR / check_lang(lang) / "LC_MESSAGES").glob("*.po"))


@functools.cache
def translations(lang: str) -> Translations:
    """Every catalogue of `lang`, compiled in memory once per process."""
    merged = None
    for path in catalogue_files(lang):
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=lang, domain=path.stem)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        part = Translations(compiled, domain="workbook")
        merged = part if merged is None else merged.merge(part)
    if merged is None:
        raise FileNotFoundError(f"no catalogue for {lang!r} in {LOCALE_DIR}")
    return merged


def has(key: str, lang: str) -> bool:
    """Whether the catalogue of `lang` holds `key`."""
    return translations(lang).gettext(key) != key


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def t(key: str, lang: str, **fields: object) -> str:
    """The label `key` in `lang`, with `{fields}` filled in."""
    text = translations(check_lang(lang)).gettext(key)
    if text == key:
        raise KeyError(f"no text {key!r} in the {lang} catalogues")
    return text.format(**fields) if fields else text


def tn(key: str, plural_key: str, n: int, lang: str, **fields: object) -> str:
    """The label for a count `n` (ngettext): `key` holds the singular, `plural_key` the plural."""
    text = translations(check_lang(lang)).ngettext(key, plural_key, n)
    if text in (key, plural_key):
        raise KeyError(f"no text {key!r} in the {lang} catalogues")
    return text.format(n=n, **fields)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: float | None, lang: str) -> str:
    """A whole number with the locale's thousands separator (26.203 / 26,203)."""
    if _missing(value):
        return t("missing", lang)
    return format_decimal(round(value), format="#,##0", locale=_LOCALES[check_lang(lang)])


def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    """A decimal number with `digits` places (0,853 / 0.853)."""
    if _missing(value):
        return t("missing", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[check_lang(lang)])


def fmt_pct(value: float | None, lang: str, digits: int = 1) -> str:
    """A share as a percentage (10,3% / 10.3%)."""
    if _missing(value):
        return t("missing", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_LOCALES[check_lang(lang)])


def fmt_date(value: dt.date | None, lang: str) -> str:
    """Day-first in Vietnamese (04/08/2023), '4 Aug 2023' in English."""
    if _missing(value):
        return t("missing", lang)
    pattern = "dd/MM/yyyy" if check_lang(lang) == "vi" else "d MMM yyyy"
    return _babel_format_date(value, format=pattern, locale=_LOCALES[lang])


def fmt_qualified(text: str, qualifier: str, lang: str) -> str:
    """Put a qualifier word before a formatted number ("ít nhất 28.000")."""
    word = QUALIFIER_WORDS[check_lang(lang)].get(qualifier or "exact", "")
    return f"{word} {text}".strip()




def fmt_q(number, lang: str, digits: int = 0) -> str:
    """A qualified number in words: 'at least 28,000' / 'ít nhất 28.000'."""
    value = fmt_int(number.value, lang) if digits == 0 else fmt_num(number.value, lang, digits)
    return fmt_qualified(value, number.qualifier, lang)
