"""campaign_progress run on the simulated 2023 sheet: the blood-group table, chart and text it writes."""

from __future__ import annotations

import pandas as pd
from conftest import ROOT

GROUPS = ["blood_a", "blood_b", "blood_ab", "blood_o"]
REFERENCE = {"A": 0.25, "B": 0.25, "AB": 0.25, "O": 0.25}


def test_the_mix_written_by_the_notebook_matches_pandas_and_hides_small_cells(run_notebook, tmp_path):
    metrics = run_notebook("campaign_progress", lang="en", blood_group_reference=REFERENCE)
    out = tmp_path / "campaign_progress"
    written = pd.read_csv(out / "tables" / "blood_groups.csv", encoding="utf-8-sig", keep_default_na=False)
    sheet = pd.read_csv(ROOT / "data" / "example" / "sessions_2023_simulated.csv")
    by_site = sheet.groupby("site")[GROUPS].sum()
    shown = written[written["donors"] != ""]
    assert len(shown) > 0 and len(shown) < len(written)  # some cells are hidden on this sheet
    for row in shown.itertuples(index=False):
        expected = by_site[row.group].sum() if row.site == "" else by_site.loc[row.site, row.group]
        assert int(row.donors) == expected >= 5
    hidden = written[written["donors"] == ""]
    assert (hidden["share"] == "").all()
    assert (out / "figures" / "blood_groups.png").stat().st_size > 10_000
    text = (out / "notebook.ipynb").read_text("utf-8")
    assert "Against the reference distribution the analyst gave" in text
    assert metrics["metrics"]["units_to_date"] == sheet["units"].sum()  # the key figures are the same
