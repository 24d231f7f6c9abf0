"""A report built on the analyst's own file says so: your data, not a published figure."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.output import publish
from analysis.text import i18n


@pytest.mark.slow
def test_a_report_on_your_own_file_says_your_data(run_notebook, tmp_path):
    days = pd.date_range("2021-01-01", "2023-12-01", freq="MS")
    own = tmp_path / "own" / "Số liệu tháng.csv"
    own.parent.mkdir()
    pd.DataFrame({"Ngày": days.strftime("%d/%m/%Y"), "Số lượt": range(900, 900 + len(days))}).to_csv(
        own, index=False, encoding="utf-8-sig")
    metrics = run_notebook("trends", timeseries_path=str(own), period="month")
    meta = metrics["meta"]
    assert [(i["kind"], i["rows"]) for i in meta["inputs"]] == [("real", len(days))]
    assert meta["data_kind"] == "real"
    folder = tmp_path / "trends"
    publish.export_html(folder / "notebook.ipynb", folder / "report.html", meta["title"])
    page = (folder / "report.html").read_text("utf-8")
    assert "data-kinds-real" in page and "Dữ liệu của bạn" in page
    assert i18n.t("banner_published", "vi") not in page and "data-kinds-published" not in page
    body, tail = page.split('class="appendix"', 1)
    assert "Số liệu tháng.csv" in tail and str(tmp_path) not in tail and "dữ liệu của bạn" in tail
