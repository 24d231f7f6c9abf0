"""report.pdf: A4, in the report's language, text with intact Vietnamese diacritics (pdftotext)."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata

import pytest

from analysis.output import appendix, pdf

PDFTOTEXT = shutil.which("pdftotext")
A4_POINTS = (595, 842)


def pdf_text(path) -> str:
    if PDFTOTEXT is None:
        pytest.fail("pdftotext is not installed: .ci/run installs Debian's poppler-utils package")
    done = subprocess.run([PDFTOTEXT, "-layout", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", done.stdout)


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (a PDF wraps lines)."""
    return " ".join(text.split())


def page_size(path) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    line = next(x for x in info.splitlines() if x.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    return round(float(width)), round(float(height))


@pytest.mark.browser
def test_every_report_has_its_pdf_with_title_and_findings(fresh_reports):
    out, proc = fresh_reports
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = sorted(out.glob("*/*/report.html"))
    assert reports
    for report in reports:
        name = f"{report.parent.parent.name}/{report.parent.name}"
        document = report.parent / pdf.PDF_FILE
        assert document.is_file(), f"{name}: no report.pdf"
        assert page_size(document) == A4_POINTS, f"{name}: not A4"
        meta = json.loads((report.parent / "metrics.json").read_text("utf-8"))["meta"]
        text = words(pdf_text(document))
        assert meta["title"], f"{name}: no title recorded"
        assert words(meta["title"]) in text, f"{name}: the PDF lacks its title {meta['title']!r}"
        for block in meta.get("key_findings", [])[:1]:
            first = words(appendix.first_sentence(block))
            assert first[:60] in text, f"{name}: the PDF lacks its key finding {first!r}"
        if meta["params"].get("lang", "vi") == "vi":
            assert "Phụ lục" in text and "Tham số" in text, f"{name}: appendix headings garbled in the PDF"


@pytest.mark.browser
def test_a_vietnamese_page_prints_with_its_diacritics(tmp_path):
    page = tmp_path / "report.html"
    sentence = "Giọt máu nghĩa tình: Hà Nội, những người hiến máu nhắc lại — ước tính 2.697 đơn vị."
    page.write_text(f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thử</title>'
                    f'<style>body{{font-family:"Noto Sans","DejaVu Sans",sans-serif}}</style></head>'
                    f"<body><h1>Báo cáo</h1><p>{sentence}</p></body></html>", "utf-8")
    if pdf.find_chromium() is None:
        pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
    with pdf.Printer() as printer:
        written = printer.print(page)
    assert written == tmp_path / pdf.PDF_FILE and written.is_file()
    assert sentence in words(pdf_text(written))


@pytest.mark.browser
def test_reports_printed_in_one_tab_are_each_their_own(tmp_path):
    """The batch prints every report in one tab: nothing of one page reaches the next,
    and a report that cannot print leaves the next one printable."""
    if pdf.find_chromium() is None:
        pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
    pages = {}
    bodies = {"first": "<h1>Báo cáo một</h1>" + "<p>dòng</p>" * 200, "second": "<h1>Báo cáo hai</h1>"}
    for name, body in bodies.items():
        (tmp_path / name).mkdir()
        pages[name] = tmp_path / name / "report.html"
        pages[name].write_text(f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
                               f"<title>{name}</title></head><body>{body}</body></html>", "utf-8")
    with pdf.Printer() as printer:
        printer.start()  # as the runner does, before the first report is ready
        assert printer.print(pages["first"]) is not None
        assert printer.print(tmp_path / "missing" / "report.html") is None  # cannot load: no PDF
        assert printer.print(pages["second"]) is not None
    first, second = (words(pdf_text(pages[n].parent / pdf.PDF_FILE)) for n in ("first", "second"))
    assert "Báo cáo một" in first and "Báo cáo hai" not in first
    assert "Báo cáo hai" in second and "Báo cáo một" not in second and "dòng" not in second
    assert int(subprocess.run(["pdfinfo", str(pages["second"].parent / pdf.PDF_FILE)], capture_output=True,
                              text=True, check=True).stdout.split("Pages:")[1].split()[0]) == 1


def test_no_browser_means_no_pdf_and_one_reason(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENV, str(tmp_path / "no-such-browser"))
    page = tmp_path / "report.html"
    page.write_text("<html><body>x</body></html>", "utf-8")
    with pdf.Printer() as printer:
        printer.start()  # says nothing yet: the reason comes with the first report
        assert printer.print(page) is None
        assert printer.print(page) is None
        assert pdf.ENV in printer.reason
    assert not (tmp_path / pdf.PDF_FILE).exists()
    with pdf.Printer(enabled=False) as printer:
        printer.start()
        assert printer._browser is None and printer.print(page) is None
