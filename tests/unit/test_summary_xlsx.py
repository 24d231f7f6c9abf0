"""summary.xlsx: the key-figure sheet is headed in the report's language, its values stay numbers."""

from __future__ import annotations

import json

import openpyxl
import pytest

from analysis.output import publish


def _report(run, notebook: str, metrics: dict, params: dict) -> None:
    folder = run / notebook
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(
        json.dumps({"metrics": metrics, "meta": {"params": params}}, ensure_ascii=False), "utf-8")


@pytest.mark.parametrize(("lang", "headers", "label", "qualifier"), [
    ("vi", ["Chỉ số", "Giá trị", "Tên trong metrics.json"], "Lượt hiến máu tích lũy trước đợt", "khoảng"),
    ("en", ["Figure", "Value", "Name in metrics.json"], "Donation turns before the campaign", "about"),
])
def test_key_figure_sheet_speaks_the_reports_language(tmp_path, lang, headers, label, qualifier):
    run = tmp_path / "run"
    _report(run, "historical_vs_campaign",
            {"hist_turns": 26203, "hist_yield": 0.85287, "hist_qualifier": "about"}, {"lang": lang})
    publish.write_summary_xlsx(run)
    sheet = openpyxl.load_workbook(run / "summary.xlsx")["historical_vs_campaign"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == headers
    assert rows[1] == [label, 26203, "hist_turns"]
    assert rows[2][1] == pytest.approx(0.85287)  # a number Excel can compute with, at full precision
    assert rows[3] == [rows[3][0], qualifier, "hist_qualifier"]


def test_a_report_without_lang_gets_the_default_vietnamese_headers(tmp_path):
    run = tmp_path / "run"
    _report(run, "campaign_progress", {"units_to_date": 2348}, {})
    publish.write_summary_xlsx(run)
    sheet = openpyxl.load_workbook(run / "summary.xlsx")["campaign_progress"]
    assert [c.value for c in next(sheet.iter_rows())] == ["Chỉ số", "Giá trị", "Tên trong metrics.json"]
