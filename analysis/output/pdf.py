"""report.pdf: each report.html printed on A4 by headless Chromium, one browser for a whole batch.

Leaders file reports as PDF or on paper. The runner prints each finished report
in its own process (no second Python start per notebook) through one
`Printer`, which starts the browser on its first page and closes it at the
end. The reports are printed one after the other in one browser tab: a new tab
for each report started a renderer process each time, about two thirds of the
batch's printing. The browser is found as the browser test finds it: `WORKBOOK_CHROMIUM`
names it explicitly, else `chromium` (Debian) or `chromium-browser` on PATH.
Without a browser, or without Playwright, no PDF is written, the run still
succeeds and `Printer.reason` says why, once.
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path

ENV = "WORKBOOK_CHROMIUM"
PDF_FILE = "report.pdf"
# The flags the browser test uses too: no sandbox (root in CI containers), no network chatter.
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Page numbers and the report's title in the bottom margin; header left empty.
FOOTER = (
    '<div style="font-size:7.5pt;width:100%;padding:0 13mm;color:#666;'
    "font-family:'Noto Sans','DejaVu Sans',sans-serif;display:flex;justify-content:space-between\">"
    '<span class="title"></span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)
PAGE_TIMEOUT_MS = 60_000


def find_chromium() -> str | None:
    """The Chromium to print with: $WORKBOOK_CHROMIUM, else chromium or chromium-browser on PATH."""
    explicit = os.environ.get(ENV)
    if explicit:
        found = shutil.which(explicit)
        return found or (explicit if Path(explicit).is_file() else None)
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Printer:
    """`with Printer() as printer: printer.print(report_html)` writes report.pdf beside it."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled  # False: asked for no PDF (`workbook run --no-pdf`); no browser starts
        self.reason: str | None = None  # why no PDF can be written, once known
        self._playwright = None
        self._browser = None
        self._page = None  # the one tab every report is printed in

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> bool:
        if self._browser is not None:
            return True
        if self.reason is not None or not self.enabled:
            return False
        executable = find_chromium()
        if executable is None:
            where = f"${ENV} ({os.environ[ENV]}) is not a browser" if os.environ.get(ENV) else (
                f"no Chromium found (install chromium, or set {ENV} to a Chromium browser)")
            self.reason = where
            return False
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self.reason = "Playwright is not installed (pip install playwright)"
            return False
        try:
            self._playwright = sync_playwright().start()
            atexit.register(self.close)  # also when a run is interrupted between two reports
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        except Exception as exc:  # a browser that does not start must not fail the run
            self.reason = f"Chromium did not start ({type(exc).__name__}: {str(exc).splitlines()[0]})"
            self.close()
            return False
        return True

    def start(self) -> None:
        """Start the browser and open its tab now, ahead of the first report (the runner does
        it while its kernels' modules are being imported); a browser that cannot start is
        said when a report is printed."""
        if self._start():
            try:
                self._tab()
            except Exception:  # noqa: BLE001 - the first report opens it again, or says why not
                self._close_tab()

    def print(self, report: Path) -> Path | None:
        """Print `report` (an HTML file) to report.pdf in its folder; None when it cannot be done."""
        if not self._start():
            return None
        target = report.parent / PDF_FILE
        tmp = report.parent / f".{PDF_FILE}.tmp"
        try:
            page = self._tab()
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.pdf(
                path=str(tmp),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
            )
        except Exception as exc:  # one report that cannot print leaves the others
            tmp.unlink(missing_ok=True)
            self._close_tab()  # the next report gets a new tab
            print(f"warning: {report.parent.name}: report.pdf not written ({type(exc).__name__})", flush=True)
            return None
        os.replace(tmp, target)
        return target

    def _tab(self):
        """The tab the reports are printed in (a new one after a report that failed to print)."""
        if self._page is None:
            self._page = self._browser.new_page()
            self._page.set_default_timeout(PAGE_TIMEOUT_MS)
            self._page.emulate_media(media="print")
        return self._page

    def _close_tab(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            try:
                page.close()
            except Exception:  # noqa: BLE001 - a tab that crashed cannot be closed; the browser still can
                pass

    def close(self) -> None:
        self._page = None  # closed with its browser
        if self._browser is not None:
            try:
                self._browser.close()
            finally:
                self._browser = None
        if self._playwright is not None:
            try:
                self._playwright.stop()
            finally:
                self._playwright = None
