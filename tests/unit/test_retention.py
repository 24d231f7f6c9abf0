"""donor_retention: each key figure against an independent computation (plain pandas, DuckDB SQL).

The hand-made visits hold deferred visits (one person never donates, one is
deferred before a first donation, the last date in the data is a deferral),
a return sooner than 84 days, a donor with 12 donations, ties in the time to a
second donation (two returns on day 111 and one donor censored on day 111)
and donors still waiting to return at the end of the data.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from analysis import inputs
from analysis.model import disclosure
from analysis.reports.donor_retention import charts, context
from analysis.reports.donor_retention import compute as retention
from analysis.text import render

CONTRACT = ("donors", "visits", "visits_per_donor", "repeat_donor_share", "share_10_plus",
            "median_return_days", "share_returns_under_min_interval", "return_within_12m",
            "return_within_24m")


def hand_made() -> pd.DataFrame:
    rows = [
        # donor, date, outcome, sex, birth_year
        ("d1", "2019-01-10", "donated", "M", 1990), ("d1", "2019-05-01", "donated", "M", 1990),
        ("d1", "2020-02-01", "donated", "M", 1990), ("d1", "2022-03-01", "donated", "M", 1990),
        ("d2", "2019-03-01", "deferred", "F", 1995), ("d2", "2020-04-01", "donated", "F", 1995),
        ("d2", "2020-05-15", "donated", "F", 1995), ("d2", "2021-06-01", "donated", "F", 1995),
        ("d3", "2019-06-01", "donated", "M", 1970),
        ("d4", "2021-01-01", "deferred", "F", 2000),
        ("d7", "2019-01-10", "donated", "M", 1985), ("d7", "2019-05-01", "donated", "M", 1985),
        ("d8", "2022-01-01", "donated", "F", 1999), ("d8", "2022-04-21", "donated", "F", 1999),
        ("d8", "2024-06-30", "deferred", "F", 1999),
        ("d9", "2023-01-01", "donated", "M", 1980),
        ("d10", "2024-03-11", "donated", "M", 2001),
        ("d6", "2023-12-01", "donated", "M", 1960),
    ]
    rows += [("d5", d.strftime("%Y-%m-%d"), "donated", "M", 1988)
             for d in pd.date_range("2020-01-01", periods=12, freq="100D")]
    frame = pd.DataFrame(rows, columns=["donor_id", "visit_date", "outcome", "sex", "birth_year"])
    frame["visit_date"] = pd.to_datetime(frame["visit_date"])
    return frame.sample(frac=1, random_state=1).reset_index(drop=True)  # file order is no order


@pytest.fixture(scope="module")
def raw():
    return hand_made()


@pytest.fixture(scope="module")
def visits(raw):
    return retention.prepare(raw)


@pytest.fixture(scope="module")
def donors(visits):
    return retention.per_donor(visits)


@pytest.fixture(scope="module")
def figs(visits):
    return retention.key_figures(visits, 84)


def donations(raw):
    return raw[raw["outcome"] != "deferred"].sort_values(["donor_id", "visit_date"])


def km_by_hand(durations: np.ndarray, events: np.ndarray, t: int) -> float:
    """1 − S(t), S the product-limit estimate: at each event time u ≤ t, 1 − d(u) / n(u)."""
    s = 1.0
    for u in sorted(set(durations[events])):
        if u > t:
            break
        s *= 1 - ((durations == u) & events).sum() / (durations >= u).sum()
    return 1 - s


def test_counts_and_shares(raw, figs):
    d = donations(raw)
    per = d.groupby("donor_id").size()
    assert figs["donors"] == per.size == 9  # d4 was only deferred
    assert figs["visits"] == len(d)
    assert figs["visits_per_donor"] == pytest.approx(len(d) / per.size)
    assert figs["repeat_donor_share"] == pytest.approx((per >= 2).mean())
    assert figs["share_10_plus"] == pytest.approx((per >= 10).mean())
    assert figs["deferral_rate"] == pytest.approx((raw["outcome"] == "deferred").mean())
    assert figs["max_donations"] == 12


def test_gaps(raw, figs):
    gaps = donations(raw).groupby("donor_id")["visit_date"].diff().dt.days.dropna()
    assert figs["median_return_days"] == pytest.approx(gaps.median())
    assert figs["share_returns_under_min_interval"] == pytest.approx((gaps < 84).mean())
    assert figs["returns_under_min_interval"] == 1  # d2: 1 April to 15 May 2020


def test_return_within_kaplan_meier_by_hand(raw, figs):
    d = donations(raw)
    end = raw["visit_date"].max()  # a deferral: the data still reach that day
    first = d.groupby("donor_id")["visit_date"].min()
    second = d.groupby("donor_id")["visit_date"].apply(lambda s: s.iloc[1] if len(s) > 1 else pd.NaT)
    events = second.notna().to_numpy()
    durations = (second.fillna(end) - first).dt.days.to_numpy()
    assert sorted(durations[events].tolist()).count(111) == 2  # tied events
    assert 111 in durations[~events]  # and a censored donor on the same day
    assert figs["return_within_12m"] == pytest.approx(km_by_hand(durations, events, 365))
    assert figs["return_within_24m"] == pytest.approx(km_by_hand(durations, events, 730))


def test_cohort_table_against_duckdb(raw, visits):
    got = retention.cohort_retention(visits)
    con = duckdb.connect()
    con.register("v", raw)
    sql = """
        WITH d AS (SELECT donor_id, year(visit_date) AS y FROM v WHERE outcome <> 'deferred'),
        f AS (SELECT donor_id, min(y) AS cohort_year FROM d GROUP BY donor_id),
        n AS (SELECT cohort_year, count(*) AS cohort_donors FROM f GROUP BY cohort_year),
        k AS (SELECT unnest(range(1, 20)) AS years_after),
        back AS (SELECT f.cohort_year, dy.y - f.cohort_year AS years_after, count(*) AS returned
                 FROM (SELECT DISTINCT donor_id, y FROM d) dy JOIN f USING (donor_id)
                 WHERE dy.y > f.cohort_year GROUP BY ALL)
        SELECT n.cohort_year, k.years_after, n.cohort_donors, coalesce(back.returned, 0) AS returned
        FROM n CROSS JOIN k LEFT JOIN back USING (cohort_year, years_after)
        WHERE n.cohort_year + k.years_after <= (SELECT year(max(visit_date)) FROM v)
        ORDER BY 1, 2
    """
    expected = con.execute(sql).df().astype("int64")
    cols = ["cohort_year", "years_after", "cohort_donors", "returned"]
    pd.testing.assert_frame_equal(got[cols].astype("int64"), expected)
    assert got["retention_rate"].astype(float).tolist() == pytest.approx(
        (expected["returned"] / expected["cohort_donors"]).tolist())
    # d2 was deferred in 2019: the cohort is 2020, the year of the first donation
    assert int(got.loc[got["cohort_year"] == 2020, "cohort_donors"].iloc[0]) == 2
    # data end on 30 June 2024: that calendar year is partial
    assert got.loc[got["cohort_year"] + got["years_after"] == 2024, "partial_year"].all()
    assert not got.loc[got["cohort_year"] + got["years_after"] < 2024, "partial_year"].any()


def test_small_cells_are_suppressed(visits):
    cohorts = retention.cohort_retention(visits)
    out = retention.published_cohorts(visits, 2).frame
    small = (cohorts["returned"].astype(int) < 2) | (cohorts["cohort_donors"].astype(int) < 2)
    assert out.loc[small, "suppressed"].all() and not out.loc[small, "complementary"].any()
    assert out.loc[small, "returned"].isna().all() and out.loc[small, "retention_rate"].isna().all()
    kept = ~out["suppressed"]
    published = out.loc[kept, "returned"].astype(int).tolist()
    assert published == cohorts.loc[kept, "returned"].astype(int).tolist()
    # anything hidden beyond the small cells is hidden to protect them, and says so
    assert out.loc[out["suppressed"] & ~small, "complementary"].all()
    # the published cohort sizes never leave exactly one cohort hidden (the total would give it back)
    sizes = out.groupby("cohort_year")["cohort_donors"].first()
    assert sizes.isna().sum() != 1
    # with the default of 5 every cohort here is too small: counts and bases both blank
    five = retention.published_cohorts(visits, 5)
    assert five.frame["suppressed"].all() and five.frame["cohort_donors"].isna().all()
    shown = retention.shown(five, "en")
    assert set(shown["Returned"]) == {"<5"}
    with pytest.raises(ValueError):
        retention.published_cohorts(visits, 0)


def test_status_at_the_end_of_the_data(raw, donors):
    d = donations(raw)
    end = raw["visit_date"].max()
    per = d.groupby("donor_id")["visit_date"].agg(["size", "max"])
    lapsed = (end - per["max"]).dt.days > 730
    expected = {"new": int((~lapsed & (per["size"] == 1)).sum()),
                "regular": int((~lapsed & (per["size"] >= 2)).sum()),
                "lapsed": int(lapsed.sum())}
    table = retention.status_table(donors, (end - pd.Timestamp(0)).days, 1).frame
    assert dict(zip(table["status"], table["donors"].astype(int), strict=True)) == expected
    assert expected == {"new": 3, "regular": 1, "lapsed": 5}  # d5 is the one regular


def test_frequency_and_groups(raw, visits, donors):
    freq = retention.frequency_table(donors, 1).frame
    per = donations(raw).groupby("donor_id").size()
    assert int(freq.loc[freq["donations"] == "1", "donors"].iloc[0]) == int((per == 1).sum())
    assert int(freq.loc[freq["donations"] == "10–14", "donors"].iloc[0]) == 1
    assert freq["share"].sum() == pytest.approx(1)
    by_sex = retention.group_table(visits, "sex", 1).frame.set_index("group")
    women = raw[raw["sex"] == "F"]
    assert int(by_sex.loc["F", "donors"]) == donations(women)["donor_id"].nunique()
    assert by_sex.loc["F", "deferral_rate"] == pytest.approx((women["outcome"] == "deferred").mean())
    by_age = retention.group_table(visits, "age_band", 1).frame.set_index("group")
    people = raw.sort_values("visit_date").groupby("donor_id").first()
    age = people["visit_date"].dt.year - people["birth_year"]
    band = pd.cut(age, [17, 24, 34, 44, 54, 60], labels=["18–24", "25–34", "35–44", "45–54", "55–60"])
    band = band.astype(object).fillna("other")  # d6 first came at 63
    is_donor = people.index.isin(donations(raw)["donor_id"])
    expected = pd.Series(is_donor, index=people.index).groupby(band).sum()
    assert by_age["donors"].astype(int).to_dict() == expected.astype(int).to_dict()


def test_without_outcome_every_visit_is_a_donation(raw):
    v = retention.prepare(raw.drop(columns=["outcome"]))
    figs = retention.key_figures(v)
    assert figs["deferral_rate"] is None and figs["visits"] == len(raw)


def test_sex_words_are_normalised(raw):
    words = raw.assign(sex=raw["sex"].map({"M": " Nam", "F": "nữ"}))
    v = retention.prepare(words)
    assert set(v["sex"].cat.categories) == {"M", "F"}


@pytest.mark.parametrize("engine_bytes", ["1", str(2**40)], ids=["duckdb", "loader"])
def test_through_the_loader(tmp_path, raw, figs, visits, monkeypatch, engine_bytes):
    """Both ways a visits file is read (DuckDB above WORKBOOK_ENGINE_BYTES, else the loader)."""
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", engine_bytes)
    path = tmp_path / "visits.csv"
    raw.to_csv(path, index=False, date_format="%Y-%m-%d")
    loaded = inputs.load(path, "visits")
    assert not set(raw["donor_id"]) & set(loaded["donor_id"].astype(str))  # pseudonymised
    again = retention.key_figures(retention.prepare(loaded))
    assert {k: again[k] for k in CONTRACT} == pytest.approx({k: figs[k] for k in CONTRACT})
    # the cohort table, cell by cell, as from the hand-made frame (checked against DuckDB above)
    cols = ["cohort_year", "years_after", "cohort_donors", "returned", "retention_rate", "partial_year"]
    pd.testing.assert_frame_equal(retention.cohort_retention(retention.prepare(loaded))[cols],
                                  retention.cohort_retention(visits)[cols])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_text_and_charts_render(visits, donors, figs, lang):
    end = int(visits["day"].max())
    status = retention.status_table(donors, end, 1)
    published = retention.published_cohorts(visits, 2)
    texts = {
        "overview": context.overview(figs),
        "status": context.status(status, retention.to_date(end)),
        "cohorts": context.cohorts(published),
        "suppression": {"min_cell": 5},
        "return": context.returns(figs),
        "gaps": context.gaps(figs, 84),
        "key_findings": context.key_findings(figs, status, published, 84),
    }
    assert set(texts) | {"title", "groups", "key_figures"} == set(render.sections("donor_retention", lang))
    for section, values in texts.items():
        html = render.render("donor_retention", section, lang, **values)
        assert html and "{" not in html and "None" not in html
    assert "&lt;5" in render.render("donor_retention", "suppression", lang, min_cell=5)
    km = retention.return_curve(donors, end)
    for fig in (charts.cohort_heatmap(published, lang),
                charts.return_curve_chart(km, figs["return_within_12m"], figs["return_within_24m"], lang),
                charts.gap_histogram(retention.donation_gaps(visits), 84, 0.1, lang),
                charts.gap_histogram(np.zeros(0, dtype=np.int64), 84, None, lang),
                charts.frequency_chart(retention.frequency_table(donors, 2), 0.1, lang),
                charts.status_chart(status, retention.to_date(end), lang)):
        assert fig.axes
        charts.plt.close(fig)


def test_a_hidden_cell_never_reaches_the_text():
    """The leak once found: a 37-donor cohort with 2 returns (5.4%) must not set the range."""
    table = pd.DataFrame({"cohort_year": [2015, 2016, 2017], "years_after": [1, 1, 1],
                          "cohort_donors": [37, 50, 40], "returned": [2, 20, 12],
                          "partial_year": [False, False, False]})
    table["retention_rate"] = table["returned"] / table["cohort_donors"]
    counts = {"returned": ["retention_rate"], "cohort_donors": ["returned", "retention_rate"]}
    safe = disclosure.protect(table, 5, counts, additive={"cohort_donors": "cohort_year"})
    assert context.cohorts(safe) == {"low": 0.3, "high": 0.4}
    varied = disclosure.protect(table.assign(returned=[3, 20, 12], retention_rate=[3 / 37, 0.4, 0.3]),
                                5, counts, additive={"cohort_donors": "cohort_year"})
    assert varied.frame.equals(safe.frame)  # the hidden cell changes nothing that is published
    for lang in ("vi", "en"):
        text = render.render("donor_retention", "cohorts", lang, **context.cohorts(safe))
        assert "5,4" not in text and "5.4" not in text
    with pytest.raises(TypeError):
        context.cohorts(table)  # a raw frame does not pass: only the door's tables do
    with pytest.raises(TypeError):
        charts.cohort_heatmap(table, "en")


@pytest.mark.parametrize("order", ["first_seen", "sorted"])
def test_prepare_takes_categorical_ids(raw, visits, order):
    ids = raw["donor_id"]
    categories = pd.unique(ids) if order == "first_seen" else sorted(set(ids))
    as_categories = raw.assign(donor_id=pd.Categorical(ids, categories=categories))
    pd.testing.assert_frame_equal(retention.prepare(as_categories), visits)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_key_findings_take_the_published_tables_only(visits, donors, figs, lang):
    """The box's status shares are the published table's: hidden when its cell is hidden, and
    otherwise equal to plain counting; its retention range is the cohorts section's."""
    end = int(visits["day"].max())
    shown = retention.status_table(donors, end, 1)
    ctx = context.key_findings(figs, shown, retention.published_cohorts(visits, 2), 84)
    frame = shown.frame.set_index("status")
    assert ctx["regular"] == pytest.approx(frame.loc["regular", "donors"] / frame["donors"].sum())
    assert ctx["donors"] == figs["donors"] and ctx["within_12m"] == figs["return_within_12m"]
    html = render.render("donor_retention", "key_findings", lang, **ctx)
    assert f"{100 * ctx['regular']:.1f}".replace(".", "," if lang == "vi" else ".") in html
    hidden = retention.status_table(donors, end, 10**9)  # every cell under the bar
    ctx = context.key_findings(figs, hidden, retention.published_cohorts(visits, 10**9), 84)
    assert ctx["regular"] is None and ctx["lapsed"] is None and ctx["low"] is None
    html = render.render("donor_retention", "key_findings", lang, **ctx)
    assert "None" not in html and "{" not in html and html.count("%") >= 2


def _groups_by_pandas(donors: pd.DataFrame, by: str, has_outcome: bool) -> pd.DataFrame:
    """The group table by a plain pandas groupby, for the comparison below."""
    frame = pd.DataFrame({"group": donors[by].astype(object), "donor": donors["donations"] > 0,
                          "donations": donors["donations"], "repeat": donors["donations"] >= 2,
                          "presentations": donors["presentations"]})
    out = frame.groupby("group", sort=True).sum()
    if by == "age_band":  # bands in their own order, other words sorted
        out = out.reindex([c for c in donors[by].cat.categories if c in out.index])
    out = out.reset_index().rename(columns={"donor": "donors"})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["visits_per_donor"] = out["donations"] / out["donors"].where(out["donors"] > 0)
        out["repeat_donor_share"] = out["repeat"] / out["donors"].where(out["donors"] > 0)
    out["deferral_rate"] = (1 - out["donations"] / out["presentations"]) if has_outcome else np.nan
    return out.drop(columns=["repeat", "presentations"])


@pytest.mark.parametrize("by", ["sex", "age_band"])
def test_group_tables_as_a_pandas_groupby(by):
    """On the example file, with a third sex word on some first visits (the very first one too:
    the words then appear in no sorted order) and missing on others."""
    raw = inputs.load(ROOT / "data" / "example" / "visits_simulated.csv", "visits").astype({"sex": object})
    raw.loc[raw.index[::97], "sex"] = "khác"
    raw.loc[raw.index[5::89], "sex"] = None
    data = retention.summarise(raw)
    got = retention.group_table(data, by, 1).frame
    expected = _groups_by_pandas(data.donors, by, data.has_outcome)
    pd.testing.assert_frame_equal(got[expected.columns].reset_index(drop=True), expected, check_dtype=False)
    order = {"sex": ["F", "M", "khác"], "age_band": ["18–24", "25–34", "35–44", "45–54", "55–60"]}[by]
    assert got["group"].tolist()[:len(order)] == order
