"""The HTML reports of a fresh run, opened in real headless Chromium (Debian's package).

Checks what a reader sees: every image loads and has alt text, no console
error, Vietnamese text intact, a report built on simulated data says so before
anything else, the key findings come before the first figure, the appendix is
last, and outside the appendix no English header, no Python repr, no warning
and no number with more digits than it means. Full-page screenshots go to
$WORKBOOK_SCREENSHOTS, by default reports/screenshots/ (git-ignored), where CI picks them up.
The browser is the one report.pdf is printed with: WORKBOOK_CHROMIUM when set (any Chrome
or Chromium), else Debian's chromium on the PATH; `make test` installs it or says how to get one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import SCREENSHOTS

from analysis.output import pdf
from analysis.run import params

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = pdf.find_chromium()
pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _reports() -> list[tuple[str, str]]:
    """(params file, notebook) of every report the batch makes: a file's `notebooks:` list, or all."""
    found = []
    for path in sorted((ROOT / "params").glob("*.yaml")):
        _, wanted = params.split_notebooks(params.load_params_file(path), path.name, NOTEBOOKS)
        found += [(path.stem, notebook) for notebook in wanted or NOTEBOOKS]
    return found


REPORTS = _reports()
# Mojibake of Vietnamese text read with the wrong encoding (UTF-8 bytes as Latin-1).
MOJIBAKE = ("Ã", "Ä‘", "áº", "á»")
# What only code would write: Python reprs and paths, checked outside the appendix.
REPRS = re.compile(r"\bNone\b|'vi'|'en'|\bnan\b|\bNaN\b|\bTrue\b|\bFalse\b|data/(?:published|example)/"
                   r"|<Figure|Timestamp\(|dtype|\{'")
WARNINGS = re.compile(r"Warning|warnings\.warn|Traceback|DeprecationWarning|RuntimeWarning")
ENGLISH_HEADER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")  # a column name as code writes it
LONG_DECIMAL = re.compile(r"\d[.,]\d{4,}(?![\d.,])")  # 0,8529: more digits than a reader can use
# The page outside its appendix: text and table headers, read from a clone without .appendix.
OUTSIDE_APPENDIX = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.appendix').forEach(e => e.remove());
  document.body.appendChild(copy);
  const text = copy.innerText;
  const headers = [...copy.querySelectorAll('th')].map(t => t.innerText.trim()).filter(Boolean);
  copy.remove();
  return [text, headers];
}"""


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """A fresh folder for this run's screenshots: $WORKBOOK_SCREENSHOTS or reports/screenshots/."""
    folder = Path(os.environ.get("WORKBOOK_SCREENSHOTS") or SCREENSHOTS)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run `make test`, or set WORKBOOK_CHROMIUM=/path/to/chrome")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=pdf.BROWSER_ARGS)
        yield browser
        browser.close()


def _open(browser, path, shot, width=1200):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=True)
    return page, errors


def test_index_lists_every_report_and_reads_on_a_phone(browser, fresh_reports, screenshots):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    page, errors = _open(browser, out / "index.html", screenshots / "index.png")
    assert not errors
    links = page.eval_on_selector_all("a[href$='report.html']", "els => els.map(e => e.getAttribute('href'))")
    reports = sorted(out.glob("*/*/report.html"))
    assert len(links) == len(reports) > 0
    pdfs = page.eval_on_selector_all("a[href$='report.pdf']", "els => els.length")
    assert pdfs == len(reports), "the index links every report's PDF"
    assert page.eval_on_selector_all("li.report .kind", "els => els.length") == len(reports)
    page.close()
    phone, _ = _open(browser, out / "index.html", screenshots / "index-phone.png", width=390)
    assert phone.get_attribute("meta[name=viewport]", "content")
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the index is {overflow}px wider than a phone"
    phone.close()


def test_the_batch_made_every_report_and_no_other(fresh_reports):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    made = sorted((p.parent.parent.name, p.parent.name) for p in out.glob("*/*/report.html"))
    assert made == sorted(REPORTS)
    for run in {run for run, _ in REPORTS}:
        ran = json.loads((out / run / "status.json").read_text("utf-8"))
        assert sorted(ran) == sorted(nb for r, nb in REPORTS if r == run)


@pytest.mark.parametrize(("run", "notebook"), REPORTS, ids=[f"{r}-{n}" for r, n in REPORTS])
def test_report_reads_as_a_report(browser, fresh_reports, screenshots, run, notebook):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = out / run / notebook / "report.html"
    assert report.is_file(), f"{run}/{notebook}: no report.html"
    name = f"{run}-{notebook}"
    page, errors = _open(browser, report, screenshots / f"{name}.png")
    assert not errors, f"{name}: console errors {errors}"
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, (i.alt || '').trim()])"
    )
    assert all(ok for ok, _ in images), f"{name}: a broken image"
    assert all(alt for _, alt in images), f"{name}: an image without alt text"
    if run == "default":  # other runs may lack the data a figure needs
        assert images, f"{name}: no figure"
    text = page.inner_text("body")
    assert not any(m in text for m in MOJIBAKE), f"{name}: garbled Vietnamese text"
    lang = page.get_attribute("html", "lang")
    if lang == "vi":
        assert any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ"), f"{name}: no Vietnamese letters"
    assert page.title() and page.title() != "Notebook", f"{name}: the page has no title of its own"

    banner = page.query_selector(".data-kind")
    assert banner is not None, f"{name}: no data-kind banner"
    kind = banner.get_attribute("class")
    top = banner.bounding_box()["y"]
    first_img = page.query_selector("img")
    assert first_img is None or top < first_img.bounding_box()["y"], f"{name}: the banner is below a figure"
    if "data-kind-simulated" in kind or "data-kind-mixed" in kind:
        words = banner.inner_text().upper()
        assert "MÔ PHỎNG" in words or "SIMULATED" in words
        assert top < 400, f"{name}: the simulated-data banner is not at the top ({top}px)"

    appendix = page.query_selector(".appendix")
    assert appendix is not None, f"{name}: no appendix"
    last_cell = page.query_selector_all(".jp-Cell")[-1]
    assert last_cell.query_selector(".appendix") is not None, f"{name}: something comes after the appendix"
    assert page.query_selector_all("[data-mime-type='application/vnd.jupyter.stderr']") == []
    assert not WARNINGS.search(text), f"{name}: warning text {WARNINGS.search(text).group(0)!r}"

    findings = page.query_selector(".key-findings")
    assert findings is not None, f"{name}: no key-findings box"  # every report has one
    if first_img is not None:
        assert findings.bounding_box()["y"] < first_img.bounding_box()["y"], \
            f"{name}: the key findings come after the first figure"

    if run != "default" or lang != "vi":
        page.close()
        return
    outside, headers = page.evaluate(OUTSIDE_APPENDIX)
    page.close()
    problems = []
    english = [h for h in headers if ENGLISH_HEADER.fullmatch(h)]
    if english:
        problems.append(f"English headers {english}")
    reprs = sorted(set(REPRS.findall(outside)))
    if reprs:
        problems.append(f"Python reprs or paths outside the appendix {reprs}")
    digits = sorted(set(LONG_DECIMAL.findall(outside)))
    if digits:
        problems.append(f"numbers with more digits than they mean {digits}")
    assert not problems, f"{name}: " + "; ".join(problems)
