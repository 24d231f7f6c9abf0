"""The text layer: catalogues and templates agree between languages, and escape what they are given."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from analysis.text import i18n, render

ROOT = Path(__file__).resolve().parents[2]
LANGS = i18n.LANGS


def catalogue(lang: str, domain: str) -> dict[str, str]:
    """key -> text; a plural entry (ngettext) is keyed by its singular id, its forms joined."""
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    with open(path, "rb") as fh:
        messages = [m for m in read_po(fh, locale=lang) if m.id]
    return {(m.id[0] if isinstance(m.id, tuple) else m.id):
            (" | ".join(m.string) if isinstance(m.string, tuple) else m.string) for m in messages}


# Labels whose languages take different fields: a month is a number in Vietnamese, a name in English.
OWN_FIELDS = {"tr_month"}
DOMAINS = sorted(p.stem for p in (i18n.LOCALE_DIR / "vi" / "LC_MESSAGES").glob("*.po"))


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_languages_hold_the_same_keys_and_fields(domain):
    vi, en = catalogue("vi", domain), catalogue("en", domain)
    assert set(vi) == set(en)

    def fields(text):
        return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f})

    for key in vi:
        if key not in OWN_FIELDS:
            assert fields(vi[key]) == fields(en[key]), key
        assert vi[key] and en[key], f"{key} is empty"


def test_every_key_the_code_asks_for_exists():
    asked = set()
    for path in (ROOT / "analysis").rglob("*.py"):
        asked |= set(re.findall(r"""\bt\(\s*["']([a-z][a-z0-9_]*)["']""", path.read_text("utf-8")))
    for path in render.TEMPLATES.rglob("*.html"):
        asked |= set(re.findall(r"""\bt\(\s*["']([a-z][a-z0-9_]*)["']""", path.read_text("utf-8")))
    asked = {k for k in asked if not k.endswith("_") and k != "key"}  # prefixes of built keys
    assert asked
    for lang in LANGS:
        missing = sorted(k for k in asked if not i18n.has(k, lang))
        assert not missing, f"{lang}: {missing}"


def test_templates_exist_in_both_languages():
    by_lang = {lang: sorted(p.relative_to(render.TEMPLATES / lang).as_posix()
                            for p in (render.TEMPLATES / lang).rglob("*.html")) for lang in LANGS}
    assert by_lang["vi"] == by_lang["en"] and by_lang["vi"]


def test_a_missing_key_is_an_error_not_a_silent_key():
    with pytest.raises(KeyError):
        i18n.t("no_such_label", "vi")


def test_values_reach_the_html_escaped():
    html = render.render("donor_retention", "status", "en", end=None, min_cell=5,
                         new={"donors": None, "share": None},
                         regular={"donors": 3, "share": 0.5},
                         lapsed={"donors": 4, "share": 0.5})
    assert "&lt;5" in html and "<5" not in html
    site = "<script>alert(1)</script>"
    env = render.environment("en")
    assert "<script>" not in env.from_string("{{ name }}").render(name=site)


def test_numbers_follow_the_language():
    env = {lang: render.environment(lang) for lang in LANGS}
    text = "{{ n | int }} {{ s | pct }} {{ y | num(3) }}"
    assert env["vi"].from_string(text).render(n=26203, s=0.125, y=0.8529) == "26.203 12,5% 0,853"
    assert env["en"].from_string(text).render(n=26203, s=0.125, y=0.8529) == "26,203 12.5% 0.853"


def test_plural_forms_follow_each_language(tmp_path, monkeypatch):
    """ngettext: one form in Vietnamese, two in English; a catalogue entry says both."""
    entry = 'msgid "n_sites"\nmsgid_plural "n_sites_plural"\n'
    texts = {"vi": entry + 'msgstr[0] "{n} điểm"\n',
             "en": entry + 'msgstr[0] "{n} site"\nmsgstr[1] "{n} sites"\n'}
    for lang, text in texts.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        header = (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "common.po").read_text("utf-8")
        (folder / "common.po").write_text(header + "\n" + text, "utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.tn("n_sites", "n_sites_plural", 1, "en") == "1 site"
        assert i18n.tn("n_sites", "n_sites_plural", 12, "en") == "12 sites"
        assert i18n.tn("n_sites", "n_sites_plural", 12, "vi") == "12 điểm"
        assert catalogue("en", "common")["n_sites"] == "{n} site | {n} sites"
    finally:
        i18n.translations.cache_clear()
