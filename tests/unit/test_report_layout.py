"""The report-making layer: numbers in the reader's language, honest banners, the appendix,
long tables cut with a pointer to the whole, warnings and the key-figure dump kept out of
report.html, and an index page that escapes what it shows."""

from __future__ import annotations

import codecs
import csv
import io
import json

import nbformat
import pandas as pd
import pytest

from analysis import config
from analysis.output import appendix, display, index, provenance, publish, record
from analysis.text import i18n

# --- values and tables --------------------------------------------------------------


@pytest.mark.parametrize(("value", "kind", "vi", "en"), [
    (26203, None, "26.203", "26,203"),
    (2696.746912, None, "2.697", "2,697"),
    (2696.746912, "int", "2.697", "2,697"),
    (0.125, "pct", "12,5%", "12.5%"),
    (0.8529, None, "0,853", "0.853"),
    (3.5104, None, "3,51", "3.51"),
    (None, None, "—", "—"),
    (float("nan"), None, "—", "—"),
    ("2023-08-04", None, "04/08/2023", "4 Aug 2023"),
    (pd.Timestamp("2023-08-04"), None, "04/08/2023", "4 Aug 2023"),
    (True, None, "có", "yes"),
    (2019, "text", "2019", "2019"),
])
def test_a_cell_in_each_language(value, kind, vi, en):
    assert display.cell(value, "vi", kind) == vi
    assert display.cell(value, "en", kind) == en


def test_a_table_is_formatted_column_by_column():
    frame = pd.DataFrame({
        "Mức tin cậy": [0.5, 0.75, 0.9],
        "Số đăng ký cần": [2696.746912, 2831.44, 2964.71],
        "Năm": [2013, 2014, 2015],
        "Số người": [12, None, 7],
        "Điểm": ["Hà Nội", None, "Huế"],
    })
    shown = display.formatted(frame, "vi", {"Mức tin cậy": "pct0"})
    assert shown["Mức tin cậy"].tolist() == ["50%", "75%", "90%"]
    assert shown["Số đăng ký cần"].tolist() == ["2.697", "2.831", "2.965"]
    assert shown["Năm"].tolist() == ["2013", "2014", "2015"]
    assert shown["Số người"].tolist() == ["12", "—", "7"]
    assert shown["Điểm"].tolist() == ["Hà Nội", "—", "Huế"]
    assert display.formatted(frame[["Mức tin cậy"]], "en")["Mức tin cậy"].tolist() == ["0.50", "0.75", "0.90"]
    with pytest.raises(ValueError, match="unknown column kind"):
        display.formatted(frame, "vi", {"Năm": "year"})


@pytest.mark.parametrize(("name", "value", "vi", "en"), [
    ("lang", "vi", "Tiếng Việt", "Vietnamese"),
    ("registered", None, "(mặc định)", "(default)"),
    ("show_rate", 1.0, "100%", "100%"),
    ("confidence", 0.9, "90%", "90%"),
    ("min_cell", 5, "5", "5"),
    ("totals_path", "data/published/totals.csv", "totals.csv", "totals.csv"),
    ("sessions_path", "C:\\Users\\an\\Đợt 2024.xlsx", "Đợt 2024.xlsx", "Đợt 2024.xlsx"),
    ("sessions_columns", {"units": "Đơn vị máu"}, "units = Đơn vị máu", "units = Đơn vị máu"),
    ("sessions_complete", False, "không", "no"),
    ("period", "month", "tháng", "month"),
    ("as_of", "2020-04-23", "23/04/2020", "23 Apr 2020"),
    ("campaign_ids", ["giotmau-2023", "giotmau-2024"], "giotmau-2023, giotmau-2024",
     "giotmau-2023, giotmau-2024"),
])
def test_parameters_read_as_words_not_reprs(name, value, vi, en):
    assert display.parameter_value(name, value, "vi") == vi
    assert display.parameter_value(name, value, "en") == en


def test_every_contract_parameter_and_key_figure_has_a_name_in_both_languages():
    from contract import CONTRACT

    params = ["lang", "campaign_id", "registered", "show_rate", "totals_path", "campaigns_path",
              "sessions_path", "sessions_columns", "as_of", "timeseries_path", "timeseries_columns",
              "region", "period", "visits_path", "visits_columns", "min_interval_days", "min_cell",
              "active_months", "campaign_ids"]
    for lang in i18n.LANGS:
        assert all(i18n.has("param_" + p, lang) for p in params), lang
        names = [m for ms in CONTRACT.values() for m in ms]
        assert [m for m in names if not i18n.has("metric_" + m, lang)] == [], lang


# --- kinds and banners ---------------------------------------------------------------


def test_input_kinds(tmp_path):
    assert config.input_kind(config.PUBLISHED / "totals.csv") == "published"
    assert config.input_kind(config.EXAMPLE / "visits_simulated.csv") == "simulated"
    assert config.input_kind(tmp_path / "my_sessions.xlsx") == "real"
    assert config.input_kind(config.DATA / "my_sessions.xlsx") == "real"


@pytest.mark.parametrize(("kinds", "data_kind", "kind_set"), [
    (["published"], "real", "published"),
    (["real"], "real", "real"),
    (["published", "real", "published"], "real", "published_real"),
    (["simulated"], "simulated", "simulated"),
    (["published", "simulated"], "mixed", "published_simulated"),
    (["real", "simulated"], "mixed", "real_simulated"),
    (["simulated", "real", "published"], "mixed", "published_real_simulated"),
    ([], "real", "none"),
])
def test_data_kind_counts_published_as_real(kinds, data_kind, kind_set):
    assert provenance.data_kind(kinds) == data_kind
    assert provenance.kind_set(kinds) == kind_set
    for lang in i18n.LANGS:
        assert appendix.banner(kind_set, data_kind, lang)
        assert appendix.kind_words(kind_set, lang)


def test_own_files_are_never_called_published():
    vi = appendix.banner("real", "real", "vi")
    en = appendix.banner("real", "real", "en")
    assert "Dữ liệu của bạn" in vi and "không phải số liệu đã công bố" in vi
    assert "Your data" in en and "not published figures" in en
    for lang in i18n.LANGS:
        for kind_set in ("simulated", "published_simulated", "real_simulated", "published_real_simulated"):
            words = appendix.banner(kind_set, "mixed", lang).upper()
            assert "MÔ PHỎNG" in words or "SIMULATED" in words


def test_rows_are_counted_in_every_format(tmp_path):
    frame = pd.DataFrame({"Ngày": ["2023-08-04", "2023-08-05", "2023-08-06"], "Số lượt": [1, 2, 3]})
    text = frame.to_csv(index=False)
    (tmp_path / "a.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8") + b"\n\n")
    (tmp_path / "b.csv").write_bytes(text.encode("utf-16"))
    frame.to_excel(tmp_path / "c.xlsx", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    for name in ("a.csv", "b.csv", "c.xlsx", "d.parquet"):
        assert provenance.rows_in_file(tmp_path / name) == 3, name
    assert provenance.rows_in_file(tmp_path / "missing.csv") is None


# --- the Recorder's boxes, tables and appendix ---------------------------------------


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    """A Recorder as a notebook makes it, without a notebook: what it displays is collected."""
    shown = []
    monkeypatch.setattr(record, "display", lambda obj: shown.append(obj.data))
    rec = record.Recorder.__new__(record.Recorder)
    rec.notebook, rec.lang, rec.out = "trends", "vi", tmp_path
    rec.params = {"lang": "vi", "timeseries_path": "data/published/national.csv", "region": None,
                  "output_dir": str(tmp_path)}
    rec.inputs, rec.values, rec.saved, rec.title, rec.key_findings = [], {}, [], "", []
    (tmp_path / "tables").mkdir()
    rec.shown = shown
    return rec


def test_a_long_table_shows_head_and_tail_and_where_the_whole_is(recorder):
    from analysis.model import disclosure

    frame = pd.DataFrame({"Kỳ": [f"T{i}" for i in range(967)], "Số lượt": range(1000, 1967)})
    recorder.table(disclosure.no_people(frame), "by_period", show=False)
    recorder.show(frame)
    html = recorder.shown[-1]
    assert html.count("<tr") == display.HEAD_ROWS + 1 + display.TAIL_ROWS + 1  # rows, gap, header
    assert "T0" in html and "T966" in html and "T500" not in html
    assert "967 dòng" in html and "tables/by_period.csv" in html and "summary.xlsx" in html
    assert "trends-by_period" in html
    assert (recorder.out / "tables" / "by_period.csv").is_file()
    recorder.show(frame.head(25))
    assert "dòng đầu" not in recorder.shown[-1] and "1.024" in recorder.shown[-1]


def test_the_appendix_reads_as_words(recorder):
    recorder.input("data/published/national.csv")
    recorder.metrics({"growth_rate": 0.0494, "total_donations": 8236000, "region": None,
                      "peak_period": "2024", "total_qualifier": "about"})
    recorder.appendix()
    html = recorder.shown[-1]
    assert html.startswith('<div class="appendix"')
    for words in ("Phụ lục", "Tham số", "Ngôn ngữ", "Tiếng Việt", "(mặc định)", "national.csv",
                  "đã công bố", "Tăng trưởng bình quân mỗi năm", "4,9%", "khoảng 8.236.000", "Python",
                  "pandas"):
        assert words in html, words
    for repr_ in ("'vi'", "None", "'data/"):
        assert repr_ not in html, repr_
    rows = recorder.inputs[0]["rows"]
    assert rows == provenance.rows_in_file(config.PUBLISHED / "national.csv") and rows > 0


def test_the_findings_box_has_one_heading_and_keeps_its_sentences(recorder, monkeypatch):
    body = "<ul><li>Tổng 8.236.000 đơn vị, khoảng 4,9% mỗi năm. Cao nhất năm 2024.</li><li>Hai.</li></ul>"
    monkeypatch.setattr(record.render, "render", lambda *a, **k: body)
    recorder.findings()
    html = recorder.shown[-1]
    assert 'class="key-findings"' in html and html.count("<h2") == 1 and "Những điểm chính" in html
    assert recorder.key_findings[0].startswith("Tổng 8.236.000")
    assert appendix.first_sentence(recorder.key_findings[0]) == "Tổng 8.236.000 đơn vị, khoảng 4,9% mỗi năm."
    monkeypatch.setattr(record.render, "render", lambda *a, **k: "<h3>Tóm tắt</h3><p>Một.</p>")
    recorder.findings()
    assert "Những điểm chính" not in recorder.shown[-1]
    own = "<p><strong>Những điểm chính.</strong> Một.</p>"
    monkeypatch.setattr(record.render, "render", lambda *a, **k: own)
    recorder.findings()
    assert recorder.shown[-1].count("Những điểm chính") == 1 and "<h2" not in recorder.shown[-1]


# --- report.html ----------------------------------------------------------------------


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"lang": "vi"}}
    body = nbformat.v4.new_code_cell("rec.header()")
    body.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": "<h1>Giọt máu</h1><p>Đoạn văn.</p>"}),
        nbformat.v4.new_output("stream", name="stderr", text="trends.py:302: RuntimeWarning: divide by zero"),
        nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 640x480 with 1 Axes>"},
                               execution_count=1),
    ]
    end = nbformat.v4.new_code_cell("rec.appendix()")
    own = ('<div class="appendix-key-figures"><h3>Các chỉ số chính</h3>'
           "<table><tr><td>26.203</td></tr></table></div>")
    end.outputs = [nbformat.v4.new_output("display_data", {
        "text/html": f'<div class="appendix"><h2>Phụ lục</h2>{own}<p>Phần mềm</p></div>'})]
    heading = nbformat.v4.new_code_cell("rec.say('key_figures')")
    heading.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<h2>Chỉ số của báo cáo</h2>"}),
                       nbformat.v4.new_output("display_data", {"text/markdown": "**x**", "text/plain": "x"})]
    figures = nbformat.v4.new_code_cell("rec.finish()", metadata={"keep_output": True})
    figures.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hist_turns  26203\n")]
    nb.cells = [body, end, heading, figures]
    return nb


def _exported(nb, tmp_path) -> tuple[dict, str]:
    nbformat.write(nb, tmp_path / "notebook.ipynb")
    dropped = publish.export_html(tmp_path / "notebook.ipynb", tmp_path / "report.html", "Giọt máu")
    return dropped, (tmp_path / "report.html").read_text("utf-8")


def test_warnings_and_the_key_figure_dump_stay_out_of_the_html(tmp_path):
    dropped, page = _exported(_notebook(), tmp_path)
    assert dropped == {"stderr": 1, "repr": 1, "after_appendix": 2}
    assert "RuntimeWarning" not in page and "<Figure" not in page and "hist_turns" not in page
    assert "Đoạn văn." in page and "Phụ lục" in page and "26.203" in page
    assert '<html lang="vi">' in page and "<title>Giọt máu</title>" in page and "@page" in page
    assert "Chỉ số của báo cáo" not in page  # a heading over the key-figure lines alone is left out


def test_a_note_after_the_appendix_becomes_its_last_part(tmp_path):
    nb = _notebook()
    note = nbformat.v4.new_output("display_data", {"text/html": "<p>Ghi chú cuối.</p>"})
    nb.cells[2].outputs.append(note)
    _, page = _exported(nb, tmp_path)
    appendix_html = page[page.index('class="appendix"'):]
    assert "<h3>Chỉ số của báo cáo</h3>" in appendix_html and "26.203" in appendix_html
    assert appendix_html.index("Phần mềm") < appendix_html.index("Ghi chú cuối.")


def test_a_notebooks_own_key_figures_table_takes_the_appendix_s_place(tmp_path):
    nb = _notebook()
    table = nbformat.v4.new_output("display_data",
                                   {"text/html": "<table><tr><td>26,203 turns</td></tr></table>"})
    nb.cells[2].outputs.append(table)
    _, page = _exported(nb, tmp_path)
    appendix_html = page[page.index('class="appendix"'):]
    assert "26,203 turns" in appendix_html and "26.203" not in appendix_html
    assert appendix_html.index("Chỉ số của báo cáo") < appendix_html.index("Phần mềm")
    assert page.count('class="appendix"') == 1


# --- the index page -------------------------------------------------------------------


def _report(out, run, notebook, meta, metrics, status="ok"):
    folder = out / run / notebook
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html></html>", "utf-8")
    (folder / "metrics.json").write_text(json.dumps({"metrics": metrics, "meta": meta}), "utf-8")
    status_file = out / run / index.STATUS_FILE
    entries = json.loads(status_file.read_text("utf-8")) if status_file.is_file() else {}
    entries[notebook] = {"status": status, "seconds": 12.34, "message": "",
                         "finished_at": "2026-01-02T03:04:05"}
    status_file.write_text(json.dumps(entries), "utf-8")


def test_the_index_groups_runs_states_kinds_and_escapes(tmp_path):
    meta = {"params": {"lang": "vi"}, "title": "Xu hướng <b>hiến máu</b>",
            "inputs": [{"path": "x.csv", "sha256": "0" * 64, "kind": "real"}], "data_kind": "real",
            "key_findings": ["Tổng 8.236.000 đơn vị. Cao nhất năm 2024."]}
    _report(tmp_path, "z<i>&run", "trends", meta, {})
    sim = {"params": {"lang": "vi"}, "title": "Giữ chân người hiến máu",
           "inputs": [{"path": "data/example/v.csv", "sha256": "0" * 64, "kind": "simulated"}],
           "data_kind": "simulated"}
    figures = {"units_to_date": 1700, "units_to_date_qualifier": "at_least", "donors": 6127}
    _report(tmp_path, "default", "donor_retention", sim, figures)
    (tmp_path / "default" / "donor_retention" / "report.pdf").write_bytes(b"%PDF-1.4")
    index.write_index(tmp_path)
    page = (tmp_path / "index.html").read_text("utf-8")
    assert '<meta name="viewport"' in page and '<html lang="vi">' in page
    assert "z<i>" not in page and "z&lt;i&gt;&amp;run" in page
    assert "&lt;b&gt;hiến máu&lt;/b&gt;" in page
    assert "Dữ liệu của bạn" in page and "Dữ liệu mô phỏng" in page
    assert "Tổng 8.236.000 đơn vị." in page and "Cao nhất" not in page
    assert "Đơn vị máu đến nay: ít nhất 1.700 · Số người hiến: 6.127" in page
    assert 'href="default/donor_retention/report.pdf"' in page and "chưa có PDF" in page
    assert page.index("default") < page.index("z&lt;i&gt;")  # runs in order of their names


def test_the_spaces_a_blank_csv_line_may_hold_are_pythons_own():
    assert set(provenance._SPACES) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


CSV_CASES = {
    "plain": b"a,b\n1,2\n3,4\n",
    "no last line end": b"a,b\n1,2\n3,4",
    "blank and comma lines": b"a,b\n\n1,2\n,,\n , \n\t,\n3,4\n\n",
    "windows line ends": b"a,b\r\n1,2\r\n,\r\n\r\n3,4\r\n",
    "utf-8 bom": b"\xef\xbb\xbfa,b\n,\n1,2\n",
    "unicode spaces": "a,b\n\u00a0,\u3000\n1,2\n\u2003\n\u200b,x\n".encode(),
    "quoted header": b'"a","b"\n1,2\n"",""\n" ",\n"x, y",3\n',
    "quoted line break": b'a,b\n"1\n2",3\n4,5\n',
    "stray quote": b'a,b\n1",2\n3,4\n',
    "lone carriage return": b"a,b\r1,2\r3,4\r",
    "bad utf-8": b"a,b\n\xff,\xfe\n1,2\n",
    "only a header": b"a,b",
    "empty": b"",
}


@pytest.mark.parametrize("block", [4, 5, 7, 1 << 24])
@pytest.mark.parametrize("case", list(CSV_CASES))
def test_csv_rows_counted_on_the_bytes_are_the_csv_modules(tmp_path, monkeypatch, case, block):
    """The byte count (block by block, any block size) gives the csv module's count, or leaves it to it."""
    monkeypatch.setattr(provenance, "_BLOCK", block)
    path = tmp_path / "f.csv"
    path.write_bytes(CSV_CASES[case])
    text = CSV_CASES[case].decode("utf-8-sig", errors="replace")
    want = sum(1 for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row))
    fast = provenance._plain_csv_records(path)
    assert fast in (want, None)
    if case in ("quoted line break", "stray quote", "lone carriage return"):
        assert fast is None
    elif block > len(CSV_CASES[case]):
        assert fast == want
    assert provenance.rows_in_file(path) == max(want - 1, 0)


def test_a_csv_line_longer_than_a_block_is_not_read_whole(tmp_path, monkeypatch):
    """Neither count reads a line past a block into memory: the file gets no count."""
    monkeypatch.setattr(provenance, "_BLOCK", 64)
    monkeypatch.setattr(provenance, "_LINE", 64)
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b\n" + b'"' + b"x" * 1000 + b'",1\n')  # one quoted cell: the streamed count
    assert provenance._plain_csv_records(path) is None
    with pytest.raises(ValueError, match="more than 64"):
        provenance._csv_records(path, "utf-8-sig")
    assert provenance.rows_in_file(path) is None


def test_a_file_past_the_size_limit_is_not_counted(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n1,2\n" * 100)
    assert provenance.rows_in_file(path) == 199
    monkeypatch.setenv("WORKBOOK_MAX_BYTES", "100")
    assert provenance.rows_in_file(path) is None
