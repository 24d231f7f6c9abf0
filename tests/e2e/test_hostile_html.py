"""Markup in what users control comes out as text in every HTML page the workbook writes.

A session sheet whose site names hold markup, saved under a file name that is
markup too, and a `-p` value that is markup: the report and the index are
parsed, and no element or attribute in them may come from the data.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(9)">'
SITES = [SCRIPT, IMAGE, "=HYPERLINK(\"http://x\",\"click\")", "<b>bold</b> & co", "Site A"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "<b onmouseover=alert(3)>units"
    folder.mkdir()
    sheet = folder / "sheet<img src=x onerror=alert(9)>.csv"
    sample = (ROOT / "data" / "example" / "sessions_2023_simulated.csv").read_text("utf-8").splitlines()
    header, rows = sample[0], sample[1:]
    renamed = []
    for i, row in enumerate(rows):
        date, _site, *rest = row.split(",")
        name = SITES[i % len(SITES)].replace('"', '""')
        renamed.append(",".join([date, f'"{name}"', *rest]))
    sheet.write_text("\n".join([header, *renamed]) + "\n", "utf-8")
    out = tmp / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "-n", "campaign_progress",
         "-p", "sessions_path", str(sheet), "--name", "hostile", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    return proc, out


def _pages(out):
    return [out / "index.html", *sorted(out.rglob("report.html"))]


def test_the_run_succeeds(hostile_run):
    proc, out = hostile_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "hostile" / "campaign_progress" / "report.html").is_file()


def test_no_element_or_attribute_comes_from_the_data(hostile_run):
    _, out = hostile_run
    for page in _pages(out):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        scripts = [s.get_text() for s in soup.find_all("script")]
        assert not any("alert(" in s for s in scripts), page.name
        assert not soup.find_all(attrs={"onmouseover": True}), page.name
        assert not soup.find_all(attrs={"onerror": True}), page.name
        assert not soup.find_all("img", src="x"), page.name
        assert not soup.find_all("b", string="bold"), page.name


def test_the_names_are_shown_as_text(hostile_run):
    _, out = hostile_run
    report = out / "hostile" / "campaign_progress" / "report.html"
    text = BeautifulSoup(report.read_text("utf-8"), "html.parser").get_text()
    assert SCRIPT in text or "<b>bold</b> & co" in text  # the names reach the reader, as text
