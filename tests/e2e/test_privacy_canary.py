"""A visits file with planted personal data goes through the whole runner; none of it comes out.

Names, phone numbers, ID-card numbers, e-mails, addresses, birth dates and the
original donor ids are planted; every output file (ipynb, HTML, CSV, JSON,
XLSX, PNG text chunks) and the run's console output are searched for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"]


def _planted(n_donors: int = 60):
    rng = random.Random(13)
    rows, secrets = [], set()
    for i in range(n_donors):
        donor = f"CANARYDONOR{i:04d}"
        name = f"{FAMILY[i % len(FAMILY)]} Văn Canaryname{i:03d}"
        phone = f"09{rng.randrange(10**8):08d}"
        cccd = f"0{rng.randrange(10**11):011d}"
        email = f"canary{i}@example.vn"
        address = f"Số {i} phố Canarystreet, Hà Nội"
        birth = dt.date(1975 + i % 25, 1 + i % 12, 1 + i % 27)
        secrets |= {donor, name, phone, cccd, email, "Canarystreet", birth.strftime("%d/%m/%Y")}
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(300))
        for visit in range(1 + i % 6):
            outcome = "deferred" if visit == 2 else "donated"
            rows.append([donor, day.isoformat(), name, phone, cccd, email, address,
                         birth.strftime("%d/%m/%Y"), "Nam" if i % 3 else "Nữ", 350, outcome])
            day += dt.timedelta(days=90 + rng.randrange(200))
    header = ["donor_id", "visit_date", "Họ tên", "Số điện thoại", "CCCD", "Email", "Địa chỉ",
              "Ngày sinh", "sex", "volume_ml", "outcome"]
    return header, rows, secrets


def _texts(path: Path) -> list[str]:
    """Everything a reader or a program could pull out of an output file."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", "ignore"), data.decode("utf-16", "ignore")]
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            texts += [z.read(n).decode("utf-8", "ignore") for n in z.namelist()]
    if path.suffix == ".png":
        from PIL import Image

        with Image.open(path) as img:
            texts += [f"{k}={v}" for k, v in img.info.items() if isinstance(v, str)]
    if path.suffix in (".ipynb", ".json"):
        texts.append(json.dumps(json.loads(data), ensure_ascii=False))
    return texts


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("canary")
    header, rows, secrets = _planted()
    visits = tmp / "visits.csv"
    with open(visits, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    out = tmp / "reports"
    env = {**os.environ, "MPLBACKEND": "agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "-n", "donor_retention", "-p", "visits_path", str(visits),
         "-p", "min_cell", "5", "--name", "default", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    return proc, out, secrets


def test_the_run_succeeds_and_names_the_dropped_columns(canary_run):
    proc, out, _ = canary_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = (out / "default" / "donor_retention" / "notebook.ipynb").read_text("utf-8")
    for column in ("Họ tên", "Số điện thoại", "CCCD", "Địa chỉ"):
        assert column in report  # the report says which columns it dropped, by name


def test_no_planted_value_reaches_any_output(canary_run):
    proc, out, secrets = canary_run
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files) and any(p.suffix == ".xlsx" for p in files)
    leaks = []
    for path in files:
        for text in _texts(path):
            leaks += [(path.name, s) for s in secrets if s in text]
    console = proc.stdout + proc.stderr
    leaks += [("console", s) for s in secrets if s in console]
    key = os.environ["WORKBOOK_PSEUDONYM_KEY"]
    leaks += [(p.name, "key") for p in files for t in _texts(p) if key in t]
    assert not leaks, sorted(set(leaks))[:10]


def test_small_cells_are_suppressed(canary_run):
    import pandas as pd

    _, out, _ = canary_run
    table = pd.read_csv(out / "default" / "donor_retention" / "tables" / "cohort_retention.csv")
    assert len(table)
    # every published count of donors is either empty (suppressed) or at least min_cell
    for column in ("cohort_donors", "returned"):
        values = table[column].dropna()
        assert (values >= 5).all(), f"{column} publishes a count under 5"


@pytest.mark.parametrize("engine_bytes", ["1", str(2**40)], ids=["duckdb", "loader"])
def test_errors_in_a_visits_file_never_echo_its_values(tmp_path, monkeypatch, engine_bytes):
    from analysis import errors, inputs

    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", engine_bytes)

    bad = tmp_path / "visits.csv"
    bad.write_text("donor_id,visit_date,sex\nCANARY123456,2020-01-01,079123456789\n", encoding="utf-8")
    with pytest.raises(errors.InputError) as err:
        inputs.load(bad, "visits")
    assert "visits.csv:2:sex:" in str(err.value)
    assert "079123456789" not in str(err.value) and "CANARY123456" not in str(err.value)
