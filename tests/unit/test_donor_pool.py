"""donor_pool: the pool figures against an independent computation on a hand-made file.

The hand-made visits (written to a CSV the workbook has never seen, read back
through the loader) hold the edges of every definition: a last donation
exactly `min_interval_days` before `as_of` (eligible) and one day short of it,
one exactly `active_months` calendar months before (active) and one day before
that (lapsed), a donation on `as_of` itself (not counted), a person whose only
visits were deferred, a deferral after a donation, a visit with no outcome (a
donation) and a donor who first gives after `as_of`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from analysis.model import disclosure, returns
from analysis.reports.donor_pool import compute as pool
from analysis.reports.donor_pool import context
from analysis.reports.donor_pool import inputs as report_inputs
from analysis.text import render

AS_OF = pd.Timestamp("2023-08-04")
CONTRACT = ("pool_donors", "eligible_donors", "active_donors", "eligible_active_donors", "lapsed_donors",
            "expected_returning_donors", "expected_returning_donors_low", "expected_returning_donors_high",
            "newcomers_needed", "newcomers_needed_low", "newcomers_needed_high")
CAMPAIGNS = """campaign_id,name,start_date,end_date,target_units
giotmau-2023,Test drive,2023-08-04,2023-08-25,300
giotmau-2022,Undated drive,,,300
giotmau-2021,Untargeted drive,2023-08-04,2023-08-25,
"""


def hand_made() -> pd.DataFrame:
    d = AS_OF
    rows = [  # donor, date, outcome, sex, birth_year, site
        ("a", d - pd.Timedelta(days=84), "donated", "M", 1990, "North"),  # eligible on the day
        ("b", d - pd.Timedelta(days=83), "donated", "F", 1995, "North"),  # one day short
        ("b", d - pd.Timedelta(days=400), "donated", "F", 1995, "South"),
        ("c", d - pd.DateOffset(months=24), "donated", "M", 1980, "South"),  # active on the edge
        ("e", d - pd.DateOffset(months=24) - pd.Timedelta(days=1), "donated", "M", 1970, "South"),  # lapsed
        ("f", d, "donated", "M", 1985, "North"),  # on as_of: not before it
        ("f", d - pd.Timedelta(days=200), "donated", "M", 1985, "North"),
        ("g", d - pd.Timedelta(days=300), "deferred", "F", 2000, "North"),  # never gave
        ("h", d - pd.Timedelta(days=500), "donated", "M", 1988, "East"),
        ("h", d - pd.Timedelta(days=30), "deferred", "M", 1988, "North"),  # deferral after a gift
        ("i", d - pd.Timedelta(days=100), None, "F", 1992, "East"),  # no outcome: a donation
        ("j", d + pd.Timedelta(days=3), "donated", "M", 1991, "North"),  # first gift after as_of
        ("k", d - pd.Timedelta(days=3000), "donated", "M", 1960, "East"),
        ("k", d - pd.Timedelta(days=2000), "donated", "M", 1960, "East"),
        ("l", d - pd.Timedelta(days=60), "donated", "F", 1999, "South"),  # comes off the wait in the window
        ("l", d - pd.Timedelta(days=250), "donated", "F", 1999, "South"),
        ("m", d - pd.Timedelta(days=150), "donated", "M", 1983, "North"),
        ("m", d - pd.Timedelta(days=500), "donated", "M", 1983, "North"),
        ("m", d + pd.Timedelta(days=10), "donated", "M", 1983, "North"),  # gives in the window
        ("j", d + pd.Timedelta(days=40), "donated", "M", 1991, "North"),  # the file goes past the window
        ("n", d - pd.Timedelta(days=1000), "donated", "F", 1994, "Centre"),  # returns 100 and 95 days on:
        ("n", d - pd.Timedelta(days=900), "donated", "F", 1994, "Centre"),  # events for the curve in the
        ("o", d - pd.Timedelta(days=800), "donated", "M", 1987, "Centre"),  # days the window covers
        ("o", d - pd.Timedelta(days=705), "donated", "M", 1987, "Centre"),
    ]
    frame = pd.DataFrame(rows, columns=["donor_id", "visit_date", "outcome", "sex", "birth_year", "site"])
    frame["visit_date"] = pd.to_datetime(frame["visit_date"]).dt.strftime("%Y-%m-%d")
    return frame.sample(frac=1, random_state=3).reset_index(drop=True)  # file order is no order


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    raw = hand_made()
    raw.to_csv(folder / "visits.csv", index=False)
    (folder / "campaigns.csv").write_text(CAMPAIGNS, "utf-8")
    return folder, raw


def read(files, campaign_id="giotmau-2023", as_of=None, visits="visits.csv"):
    folder, _ = files
    return report_inputs.read({"visits_path": str(folder / visits), "visits_columns": None,
                               "campaigns_path": str(folder / "campaigns.csv"), "campaign_id": campaign_id,
                               "as_of": as_of})


@pytest.fixture(scope="module", params=["1", str(2**40)], ids=["duckdb", "loader"])
def result(files, request):
    """The report on the hand-made file, read by DuckDB (any size is large) or by the loader."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBOOK_ENGINE_BYTES", request.param)
        return pool.report(read(files), 84, 24, 1)


def test_duckdb_numbers_the_hand_made_file_and_no_id_comes_out(files, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ENGINE_BYTES", "1")
    visits = read(files)["visits"]
    assert "donor_id" not in visits and {"donor", "day", "site"} <= set(visits)


# ------------------------------------------------------------------ independent computation


def expected_pool(raw: pd.DataFrame, as_of=AS_OF, interval=84, months=24) -> pd.DataFrame:
    v = raw.assign(visit_date=pd.to_datetime(raw["visit_date"]))
    gifts = v[(v["visit_date"] < as_of) & (v["outcome"].fillna("donated") != "deferred")]
    last = gifts.sort_values("visit_date").groupby("donor_id").tail(1).set_index("donor_id")
    out = pd.DataFrame({"last": last["visit_date"], "site": last["site"]})
    out["eligible"] = (as_of - out["last"]).dt.days >= interval
    out["active"] = out["last"] >= as_of - pd.DateOffset(months=months)
    return out


def test_pool_figures_match_plain_pandas(files, result):
    _, raw = files
    want = expected_pool(raw)
    assert sorted(want.index) == ["a", "b", "c", "e", "f", "h", "i", "k", "l", "m", "n", "o"]
    figs = result.figs
    assert figs["pool_donors"] == len(want)
    assert figs["eligible_donors"] == int(want["eligible"].sum())
    assert figs["active_donors"] == int(want["active"].sum())
    assert figs["eligible_active_donors"] == int((want["eligible"] & want["active"]).sum())
    assert figs["lapsed_donors"] == len(want) - int(want["active"].sum())
    assert want.loc["a", "eligible"] and not want.loc["b", "eligible"]
    assert want.loc["c", "active"] and not want.loc["e", "active"]


def test_tables_by_status_and_site_match(files, result):
    _, raw = files
    want = expected_pool(raw)
    status = np.select([want["eligible"] & want["active"], want["active"]], ["eligible_active", "waiting"],
                       "lapsed")
    got = result.status.frame.set_index("status")["donors"]
    assert got.to_dict() == pd.Series(status).value_counts().reindex(pool.STATUSES, fill_value=0).to_dict()
    by_site = result.groups["site"].frame.set_index("group")["pool_donors"].astype(int).to_dict()
    assert by_site == want["site"].value_counts().to_dict()


def test_days_off_the_wait_match(files, result):
    _, raw = files
    want = expected_pool(raw)
    ends = want["last"] + pd.Timedelta(days=84)
    in_window = ends[(ends > AS_OF) & (ends <= pd.Timestamp("2023-08-25"))]
    got = result.by_day.frame.set_index("date")["donors"]
    assert got[got > 0].to_dict() == in_window.value_counts().to_dict()
    assert int(got.sum()) == len(in_window) == 1  # donor l, 24 days in


def test_expected_returns_match_an_independent_kaplan_meier(files, result):
    """The retention curve (first → second donation), fitted with lifelines on pandas-made durations,
    read conditionally for each pool donor over the days they may give in the window."""
    _, raw = files
    v = raw.assign(visit_date=pd.to_datetime(raw["visit_date"]))
    v = v[v["visit_date"] < AS_OF]
    gifts = v[v["outcome"].fillna("donated") != "deferred"].sort_values("visit_date")
    end = AS_OF - pd.Timedelta(days=1)
    dates = gifts.groupby("donor_id")["visit_date"]
    first = dates.min()
    second = dates.apply(lambda x: x.sort_values().iloc[1] if len(x) > 1 else pd.NaT)
    stop = second.fillna(end)
    km = KaplanMeierFitter().fit((stop - first).dt.days, second.notna())

    def s(t):
        return float(km.survival_function_at_times([t]).iloc[0])

    want = expected_pool(raw)
    total = var = 0.0
    possible = 0
    for last in want["last"]:
        lo = max(AS_OF, last + pd.Timedelta(days=84))
        hi = pd.Timestamp("2023-08-25")
        known = (end - last).days
        p = 0.0 if lo > hi or s(known) == 0 else (s((lo - last).days - 1) - s((hi - last).days)) / s(known)
        total, var, possible = total + p, var + p * (1 - p), possible + (p > 0)
    half = 1.6448536 * var ** 0.5  # the 90% normal interval of a Poisson-binomial sum
    figs = result.figs
    assert figs["expected_returning_donors"] == pytest.approx(total)
    assert figs["expected_returning_donors_low"] == pytest.approx(max(total - half, 0), rel=1e-6)
    assert figs["expected_returning_donors_high"] == pytest.approx(min(total + half, possible), rel=1e-6)
    assert 0 < total < len(want)
    visits_before = len(v)
    yield_ = len(gifts) / visits_before
    assert figs["yield_used"] == pytest.approx(yield_)
    assert figs["newcomers_needed"] == pytest.approx(max(300 - total * yield_, 0))
    assert figs["newcomers_needed_low"] <= figs["newcomers_needed"] <= figs["newcomers_needed_high"]


def test_observed_returns_count_pool_donors_who_gave_in_the_window(result):
    assert result.figs["observed_returning_donors"] == 2  # f (on as_of) and m; j is no pool donor


def test_return_between_reads_the_curve_conditionally():
    from analysis.model.returns import return_between

    km = KaplanMeierFitter().fit([10, 20, 30, 40], [1, 1, 0, 1])  # S: 1, .75 (10), .5 (20), 0 (40)
    p = return_between(km, np.array([0, 15, 15, 50, 0]), np.array([5, 16, 35, 60, 9]),
                       np.array([25, 25, 45, 70, 5]))
    assert p == pytest.approx([0.5, 0.25 / 0.75, 0.5 / 0.75, 0.0, 0.0])


# ------------------------------------------------------------------ missing stays missing


def test_an_undated_campaign_counts_nothing_and_says_so(files):
    r = pool.report(read(files, "giotmau-2022"), 84, 24, 1)
    assert all(r.figs[k] is None for k in CONTRACT)
    html = render.render("donor_pool", "key_findings", "en",
                         **context.findings(r.figs, r.phases, 84, 24))
    assert "no published start date" in html and " 0 " not in html


def test_as_of_counts_an_undated_campaign_but_expects_no_returns(files):
    r = pool.report(read(files, "giotmau-2022", as_of="2023-08-04"), 84, 24, 1)
    assert r.figs["pool_donors"] == 12
    assert r.figs["expected_returning_donors"] is None and r.figs["newcomers_needed"] is None


def test_no_target_leaves_the_newcomers_missing(files):
    r = pool.report(read(files, "giotmau-2021"), 84, 24, 1)
    assert r.figs["expected_returning_donors"] is not None
    assert r.figs["newcomers_needed"] is None and r.figs["newcomers_needed_high"] is None


def test_a_file_without_outcomes_counts_each_return_as_one_unit(files, tmp_path):
    folder, raw = files
    raw[raw["outcome"].fillna("donated") != "deferred"].drop(columns=["outcome"]).to_csv(
        folder / "no_outcome.csv", index=False)
    r = pool.report(read(files, visits="no_outcome.csv"), 84, 24, 1)
    assert r.figs["yield_used"] == 1.0 and not r.has_outcome
    assert r.figs["newcomers_needed"] == pytest.approx(300 - r.figs["expected_returning_donors"])


# ------------------------------------------------------------------ small cells


def texts(r: pool.PoolReport, lang: str = "en") -> list[str]:
    figs = r.figs
    return [
        render.render("donor_pool", "key_findings", lang, **context.findings(figs, r.phases, 84, 24)),
        render.render("donor_pool", "pool", lang, **context.pool(figs, r.status, 84, 24)),
        render.render("donor_pool", "groups", lang, **context.groups(r.groups)),
        render.render("donor_pool", "wait", lang, **context.wait(figs, r.phases, 84)),
        render.render("donor_pool", "returning", lang, **context.returning(figs, None)),
        render.render("donor_pool", "newcomers", lang, **context.newcomers(figs, r.has_outcome)),
    ]


def crowd(raw: pd.DataFrame) -> pd.DataFrame:
    """The hand-made file plus 40 donors at one big site, so small sites and ages stand out."""
    rows = [(f"z{i}", (AS_OF - pd.Timedelta(days=100 + 9 * i)).strftime("%Y-%m-%d"), "donated",
             "M", 1985 + i % 10, "Centre") for i in range(40)]
    return pd.concat([raw, pd.DataFrame(rows, columns=raw.columns)], ignore_index=True)


def test_a_hidden_small_cell_changes_no_output(files):
    folder, raw = files
    base = crowd(raw)
    moved = base.copy()
    # donor i moves from East (3 donors) to South (3): both stay below 5
    moved.loc[(moved["donor_id"] == "i"), "site"] = "South"
    # donor l (24) becomes 53: 18–24 falls from 1 to 0, 45–54 rises from 1 to 2, both hidden
    moved.loc[moved["donor_id"] == "l", "birth_year"] = 1970
    for name, frame in (("base.csv", base), ("moved.csv", moved)):
        frame.to_csv(folder / name, index=False)
    one, two = (pool.report(read(files, visits=name), 84, 24, 5) for name in ("base.csv", "moved.csv"))
    sites, ages = (one.groups[k].frame.set_index("group")["pool_donors"] for k in ("site", "age_band"))
    assert sites[["East", "South"]].isna().all() and ages[["18–24", "45–54"]].isna().all()
    assert sites.notna().any() and ages.notna().any()
    for a, b in ((one.status, two.status), (one.by_day, two.by_day), (one.phases, two.phases),
                 *((one.groups[k], two.groups[k]) for k in pool.GROUPS)):
        pd.testing.assert_frame_equal(disclosure.require(a).frame, disclosure.require(b).frame)
    assert texts(one) == texts(two)
    assert one.figs == two.figs
    for by in pool.GROUPS:
        assert pool.shown(one.groups[by], "vi", by).equals(pool.shown(two.groups[by], "vi", by))


def test_a_small_status_is_hidden_in_the_key_figures_too(files):
    r = pool.report(read(files), 84, 24, 5)
    frame = r.status.frame.set_index("status")
    assert frame["donors"].isna().sum() >= 2 or frame["donors"].notna().all()
    for status, key in (("eligible_active", "eligible_active_donors"), ("lapsed", "lapsed_donors")):
        if pd.isna(frame.loc[status, "donors"]):
            assert r.figs[key] is None


# ------------------------------------------------------------------ the notebook on its defaults


@pytest.mark.parametrize("as_category", [False, True])
def test_a_donation_is_any_visit_not_deferred_however_the_word_is_written(as_category):
    words = ["donated", " Deferred ", None, "DEFERRED", "deferred", "donated ", np.nan, "partial"]
    visits = pd.DataFrame({"outcome": pd.Series(words, dtype="category" if as_category else object)})
    expected = [w is None or w != w or w.strip().lower() != "deferred" for w in words]
    assert returns.donated(visits).tolist() == expected
    assert returns.donated(visits.drop(columns="outcome")).tolist() == [True] * len(words)


def test_the_pool_reads_sex_words_as_the_retention_report_does():
    raw = hand_made()
    raw["sex"] = raw["sex"].map({"M": " Nam", "F": "nữ"})
    donors = pool.pool(returns.compact(raw), AS_OF)
    want = expected_pool(raw).join(raw.groupby("donor_id")["sex"].first())
    assert donors["sex"].value_counts().to_dict() == (
        want["sex"].map({" Nam": "M", "nữ": "F"}).value_counts().to_dict())
