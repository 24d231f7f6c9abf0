"""The HTML reports of a fresh run, opened in real headless Chromium (Debian's package).

Checks what a reader sees: every image loads, no console error, Vietnamese text
intact, and a report built on simulated data says so before anything else.
Screenshots are saved in reports/screenshots/ (git-ignored), where CI picks them up.
The browser is WORKBOOK_CHROMIUM when set (any Chrome or Chromium), else Debian's
chromium on the PATH; `make test` installs it or says how to get one.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import SCREENSHOTS

CHROMIUM = os.environ.get("WORKBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.browser

# Mojibake of Vietnamese text read with the wrong encoding (UTF-8 bytes as Latin-1).
MOJIBAKE = ("Ã", "Ä‘", "áº", "á»")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run `make test`, or set WORKBOOK_CHROMIUM=/path/to/chrome")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _open(browser, path, shot):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=True)
    return page, errors


@pytest.fixture
def screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def test_index_and_every_report_render(browser, fresh_reports, screenshots):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    page, errors = _open(browser, out / "index.html", screenshots / "index.png")
    assert not errors
    links = page.eval_on_selector_all("a[href$='report.html']", "els => els.map(e => e.getAttribute('href'))")
    reports = sorted(out.glob("*/*/report.html"))
    assert len(links) == len(reports) > 0
    page.close()

    for report in reports:
        name = f"{report.parent.parent.name}-{report.parent.name}"
        page, errors = _open(browser, report, screenshots / f"{name}.png")
        assert not errors, f"{name}: console errors {errors}"
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        assert broken == 0, f"{name}: {broken} broken images"
        if name.startswith("default-"):  # other runs may lack the data a figure needs
            assert page.eval_on_selector_all("img", "imgs => imgs.length") >= 1, f"{name}: no figure"
        text = page.inner_text("body")
        assert not any(m in text for m in MOJIBAKE), f"{name}: garbled Vietnamese text"
        lang = page.get_attribute("html", "lang")
        if lang == "vi":
            assert any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ"), f"{name}: no Vietnamese letters"
        banner = page.query_selector(".data-kind")
        assert banner is not None, f"{name}: no data-kind banner"
        kind = banner.get_attribute("class")
        if "data-kind-simulated" in kind or "data-kind-mixed" in kind:
            words = banner.inner_text().upper()
            assert "MÔ PHỎNG" in words or "SIMULATED" in words
            top = banner.bounding_box()["y"]
            first_img = page.query_selector("img")
            assert first_img is None or top < first_img.bounding_box()["y"]
            assert top < 400, f"{name}: the simulated-data banner is not at the top ({top}px)"
        page.close()
    assert len(list(screenshots.glob("*.png"))) == len(reports) + 1  # what CI uploads
