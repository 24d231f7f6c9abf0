"""Scale benchmark: donor_retention on 10 million visits, trends on 110,000 daily rows.

    .venv/bin/python benchmarks/bench_scale.py                 # the full run (several minutes)
    .venv/bin/python benchmarks/bench_scale.py --visits 1000000 --keep

Every measured step runs in a child process of its own, so its peak memory is
its own: the notebooks through papermill (papermill and its kernel sampled
together with psutil; resource.getrusage as a cross-check), the cohort function
and the DuckDB query each in a plain Python child (the high-water mark of that child's
own memory, VmHWM: its ru_maxrss would also count the parent's memory at the fork).
Inputs are generated into a temporary folder (or --workdir) that is never
committed and removed at the end unless --keep.

DuckDB's query and the donor_retention notebook, the two sides of the target's ratio,
run --repeat times (default 3) in turn; their medians are compared and every run is
printed. On Linux each turn also runs DuckDB's query with transparent huge pages off
for its process, whose stalls make that query move by up to 2 x, and the notebook's
ratio to that steadier query is printed too. Printed: wall times, the ratios to DuckDB
of the cohort function, of the loader, of load + summarise + cohort and of the whole
notebook (target ≤ 3, goal 1.5), the peak memory of each child (target < 2.5 GiB),
whether the cohort table of the notebook, of the cohort function and of DuckDB are
identical, and the donor_pool notebook on the same file (its pool counts checked
against DuckDB's) and with donor_retention in one `workbook run`. --json writes the
same figures to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GIB = 1024**3
PROVINCES = (
    "Hà Nội", "Hải Phòng", "Quảng Ninh", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình",
    "Nam Định", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Đà Nẵng", "Huế", "Khánh Hòa", "Cần Thơ",
)

# The cohort table of the contract, in DuckDB SQL, on the visits file itself.
COHORT_SQL = """
WITH d AS (
    SELECT donor_id, year(CAST(visit_date AS DATE)) AS y
    FROM {source}
    WHERE outcome IS NULL OR lower(trim(CAST(outcome AS VARCHAR))) <> 'deferred'
),
first AS (SELECT donor_id, min(y) AS cohort_year FROM d GROUP BY donor_id),
sizes AS (SELECT cohort_year, count(*) AS cohort_donors FROM first GROUP BY cohort_year),
returned AS (
    SELECT f.cohort_year, dy.y - f.cohort_year AS years_after, count(*) AS returned
    FROM (SELECT DISTINCT donor_id, y FROM d) dy JOIN first f USING (donor_id)
    WHERE dy.y > f.cohort_year
    GROUP BY ALL
),
last AS (SELECT year(max(CAST(visit_date AS DATE))) AS last_year FROM {source}),
grid AS (
    SELECT s.cohort_year, k.years_after, s.cohort_donors
    FROM sizes s, last,
         LATERAL (SELECT unnest(range(1, last.last_year - s.cohort_year + 1)) AS years_after) k
)
SELECT g.cohort_year, g.years_after, g.cohort_donors, coalesce(r.returned, 0) AS returned,
       coalesce(r.returned, 0) / g.cohort_donors AS retention_rate
FROM grid g LEFT JOIN returned r USING (cohort_year, years_after)
ORDER BY g.cohort_year, g.years_after
"""


def duckdb_source(path: Path) -> str:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return f"{reader}('{path.as_posix()}')"


# ------------------------------------------------------------------ inputs


def simulate_daily(regions: int = 15, years: int = 20, seed: int = 7,
                   start: str = "2005-03-15") -> pd.DataFrame:
    """Daily donations of `regions` provinces over `years` years (timeseries kind).

    Growth of about 3% a year, a dip after Tết (February) and a summer peak,
    fewer donations on Sundays, Poisson noise; new / repeat donor breakdown.
    The start mid-March makes the first and last month and year incomplete.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=round(years * 365.25), freq="D")
    t = np.arange(len(dates)) / 365.25
    month = dates.month.to_numpy()
    season = 1 + 0.25 * np.isin(month, [7, 8]) - 0.30 * (month == 2) - 0.10 * (month == 1)
    weekday = np.where(dates.dayofweek.to_numpy() == 6, 0.5, 1.0)
    parts = []
    for i, name in enumerate(PROVINCES[:regions]):
        level = rng.lognormal(3.5, 0.6)
        mean = level * np.exp(0.03 * t) * season * weekday
        donations = rng.poisson(mean)
        new = rng.binomial(donations, 0.35 + 0.02 * (i % 5))
        parts.append(pd.DataFrame({"date": dates, "region": name, "donations": donations,
                                   "new_donors": new, "repeat_donors": donations - new}))
    return pd.concat(parts, ignore_index=True)


def make_inputs(work: Path, n_visits: int, fmt: str) -> tuple[Path, Path]:
    from analysis.simulate import visits as sv

    visits_file = work / f"visits_{n_visits}.{fmt}"
    daily_file = work / "daily_15_regions.csv"
    per_donor = 3.89  # visits a simulated donor makes on average (default calibration)
    t0 = time.perf_counter()
    if not visits_file.exists():  # a kept --workdir is reused
        sv.write(sv.simulate_visits(max(100, round(n_visits / per_donor))), visits_file)
    daily = simulate_daily()
    daily.to_csv(daily_file, index=False, date_format="%Y-%m-%d")
    # The files on disk before anything is timed: a 1.6 GB file still being written back slowed
    # the runs on it (35M visits, DuckDB's query and the notebook: 26.3 s and 53.8 s unsynced,
    # 20.6 s and 39.0 s synced, two runs of one morning).
    os.sync()
    print(f"inputs: {visits_file.name} ({visits_file.stat().st_size / 1e6:,.0f} MB), "
          f"{daily_file.name} ({len(daily):,} rows) in {time.perf_counter() - t0:.1f} s")
    return visits_file, daily_file


# ------------------------------------------------------------------ measuring


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run `cmd`; wall time and peak memory of it and its children (psutil, sampled)."""
    try:
        import psutil
    except ImportError:  # getrusage below still gives the largest single process
        psutil = None
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak_tree = peak_one = 0
    if psutil is not None:
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
                rss = [p.memory_info().rss for p in procs if p.is_running()]
                peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss, default=0))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode:
        sys.stderr.write(err[-4000:])
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return {
        "wall_s": wall,
        "peak_tree_gib": peak_tree / GIB if psutil else None,
        "peak_process_gib": peak_one / GIB if psutil else None,
        # ru_maxrss of children is the largest waited-for descendant so far (KiB on Linux);
        # it only says something when it grew during this command
        "maxrss_children_gib": after / 1024**2 if after > before else None,
        "stdout": out,
    }


def papermill(notebook: str, out_dir: Path, params: dict) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [PY, "-m", "papermill", str(ROOT / "notebooks" / f"{notebook}.ipynb"),
           str(out_dir / "notebook.ipynb"), "--no-progress-bar", "-p", "output_dir", str(out_dir)]
    for key, value in params.items():
        cmd += ["-p", key, str(value)]
    env = {**os.environ, "MPLBACKEND": "agg"}
    return run_measured(cmd, env)


def workbook_run(out_dir: Path, visits_file: Path, notebooks=("donor_retention",)) -> dict:
    """Notebooks as an analyst runs them: `workbook run`, the input checked before the run (the
    compact frame then handed to each kernel), HTML report, summary and index; no PDF. Forced:
    a --workdir kept from an earlier run would otherwise give the unchanged repeat's time."""
    cmd = [PY, "-m", "analysis", "run", "-p", "visits_path", str(visits_file),
           "-p", "lang", "en", "--name", "scale", "--no-pdf", "--force", "-o", str(out_dir)]
    for name in notebooks:
        cmd += ["-n", name]
    return run_measured(cmd, {**os.environ, "MPLBACKEND": "agg"})


# The donor_pool counts of the contract, in DuckDB SQL on the visits file itself.
POOL_SQL = """
WITH last AS (
    SELECT donor_id, max(CAST(visit_date AS DATE)) AS last
    FROM {source}
    WHERE CAST(visit_date AS DATE) < DATE '{as_of}'
      AND (outcome IS NULL OR lower(trim(CAST(outcome AS VARCHAR))) <> 'deferred')
    GROUP BY donor_id
)
SELECT count(*) AS pool_donors,
       count(*) FILTER (WHERE last <= DATE '{as_of}' - {interval}) AS eligible_donors,
       count(*) FILTER (WHERE last >= DATE '{as_of}' - INTERVAL {months} MONTH) AS active_donors
FROM last
"""
POOL_COUNTS = ("pool_donors", "eligible_donors", "active_donors")
# given to the donor_pool notebook and to POOL_SQL alike, so the two count the same pool
POOL_PARAMS = {"min_interval_days": 84, "active_months": 24}


def pool_counts_agree(visits_file: Path, metrics: dict) -> bool:
    """Whether the donor_pool notebook's pool counts are DuckDB's on the same file and day."""
    import duckdb

    sql = POOL_SQL.format(source=duckdb_source(visits_file), as_of=metrics["as_of"],
                          interval=POOL_PARAMS["min_interval_days"], months=POOL_PARAMS["active_months"])
    with duckdb.connect() as con:
        row = con.execute(sql).fetchone()
    return all(metrics[k] == v for k, v in zip(POOL_COUNTS, row, strict=True))


def child(kind: str, visits_file: Path, out: Path) -> dict:
    """One of this script's children (`_duckdb`, `_duckdb_steady`, `_cohort`) on the visits file,
    writing its cohort table to `out`: the figures it prints, with its wall time and peak."""
    run = run_measured([PY, __file__, kind, str(visits_file), str(out)])
    return {**json.loads(run["stdout"].strip().splitlines()[-1]),
            "wall_s": run["wall_s"], "peak_process_gib": run["peak_process_gib"]}


def papermill_floor(work: Path) -> dict:
    """A notebook that only starts a kernel and imports what donor_retention imports:
    the part of the notebook's time no data work can remove."""
    import nbformat

    path = work / "floor.ipynb"
    cell = ("from analysis import inputs\n"
            "from analysis.reports.donor_retention import charts, compute, context\n"
            "from analysis.output.record import Recorder")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)],
                                            metadata={"kernelspec": {"name": "python3",
                                                                     "language": "python",
                                                                     "display_name": "Python 3"}}),
                   str(path))
    cmd = [PY, "-m", "papermill", str(path), str(work / "floor_out.ipynb"), "--no-progress-bar"]
    return run_measured(cmd, {**os.environ, "MPLBACKEND": "agg"})


def median_of(runs: list[dict], key: str) -> dict:
    """The run whose `key` is the median (the lower of the two middle ones), with every run's
    `key` listed and the highest of each peak over the runs."""
    chosen = sorted(runs, key=lambda r: r[key])[(len(runs) - 1) // 2]
    peaks = {k: max((r[k] for r in runs if r.get(k) is not None), default=None)
             for k in chosen if "peak" in k or "maxrss" in k}
    return {**chosen, **peaks, "runs": [round(r[key], 2) for r in runs]}


def own_peak_gib() -> float:
    """This process's peak resident memory since it started its program (Linux's VmHWM).

    Not ru_maxrss: Linux carries the memory the parent had when it forked over into the
    child's ru_maxrss, so a child of a parent that once held 3 GiB would say 3 GiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def child_cohort(visits_file: str, out: str) -> None:
    """In a child: the notebook's way, each timed: its read (`inputs.load_visits`: a large file
    kept in DuckDB, a small one loaded), `retention.summarise` (per donor) and `cohort_retention`."""
    sys.path.insert(0, str(ROOT))
    from analysis.reports.donor_retention import compute as retention
    from analysis.reports.donor_retention import inputs as report_inputs

    t0 = time.perf_counter()
    frame = report_inputs.read({"visits_path": visits_file})["visits"]
    path = "duckdb" if "donor_id" not in frame else "loader"  # the engine numbers the donors
    t1 = time.perf_counter()
    visits = retention.summarise(frame)
    del frame
    t2 = time.perf_counter()
    table = retention.cohort_retention(visits)
    t3 = time.perf_counter()
    table.to_csv(out, index=False)
    print(json.dumps({"load_s": t1 - t0, "summarise_s": t2 - t1, "cohort_s": t3 - t2, "read_by": path,
                      "maxrss_gib": own_peak_gib()}))


def thp_switch() -> bool:
    """Whether this system lets a process turn transparent huge pages off for itself (Linux)."""
    return sys.platform.startswith("linux") and Path("/sys/kernel/mm/transparent_hugepage/enabled").exists()


def huge_pages_off() -> None:
    """Turn Linux's transparent huge pages off for this process: prctl(PR_SET_THP_DISABLE)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(41, 1, 0, 0, 0) != 0:  # 41: PR_SET_THP_DISABLE, in linux/prctl.h since 3.15
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_THP_DISABLE) failed")


def child_duckdb(visits_file: str, out: str) -> None:
    """In a child: the cohort table by DuckDB SQL straight from the file."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    table = con.execute(COHORT_SQL.format(source=duckdb_source(Path(visits_file)))).df()
    t1 = time.perf_counter()
    table.to_csv(out, index=False)
    print(json.dumps({"query_s": t1 - t0,
                      "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
                      "maxrss_gib": own_peak_gib()}))


def same_cohorts(*paths: Path) -> bool:
    cols = ["cohort_year", "years_after", "cohort_donors", "returned"]
    tables = [pd.read_csv(p, encoding="utf-8-sig")[cols].astype("int64") for p in paths]
    return all(t.equals(tables[0]) for t in tables[1:])


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=10_000_000, help="visits to simulate")
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet",
                        help="file format of the simulated visits")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--skip-notebooks", action="store_true", help="cohort and DuckDB only")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of DuckDB's query and of the notebook at --visits (medians compared)")
    parser.add_argument("--growth", default="1000000,35000000",
                        help="other sizes for the growth series (with --visits; '' for none)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"visits_requested": args.visits, "format": args.format, "cpus": os.cpu_count()}
    try:
        visits_file, daily_file = make_inputs(work, args.visits, args.format)
        res["visits_file_mb"] = visits_file.stat().st_size / 1e6

        def step(name: str, value: dict) -> None:
            res[name] = value
            print(f"{name}: {json.dumps(value, default=str)}", flush=True)

        # the query and the notebook, the two sides of the ratio, each run --repeat times, side by
        # side (DuckDB, notebook, DuckDB, ...): one run of either moved by up to 2 x on this machine.
        # DuckDB runs twice a turn: as it comes, and with Linux's transparent huge pages off for
        # its process (`_duckdb_steady`): it asks for huge pages on every block of 8 MiB or more,
        # and a kernel that compacts memory to serve them stalls it for as long as the host's
        # memory is fragmented (see benchmarks/README.md, "DuckDB's own huge pages")
        ducks, steady, notebooks = [], [], []
        for _ in range(args.repeat):
            ducks.append(child("_duckdb", visits_file, work / "cohort_duckdb.csv"))
            if thp_switch():
                steady.append(child("_duckdb_steady", visits_file, work / "cohort_duckdb.csv"))
            if not args.skip_notebooks:
                ret = papermill("donor_retention", work / "retention",
                                {"visits_path": visits_file, "lang": "en"})
                notebooks.append({k: v for k, v in ret.items() if k != "stdout"})
        step("duckdb", median_of(ducks, "query_s"))
        if steady:
            step("duckdb_steady", median_of(steady, "query_s"))
        step("cohort_function", child("_cohort", visits_file, work / "cohort_function.csv"))
        tables = [work / "cohort_duckdb.csv", work / "cohort_function.csv"]
        if not args.skip_notebooks:
            step("donor_retention_notebook", median_of(notebooks, "wall_s"))
            floor = papermill_floor(work)
            step("papermill_floor", {k: v for k, v in floor.items() if k != "stdout"})
            run = workbook_run(work / "workbook", visits_file)
            step("workbook_run", {k: v for k, v in run.items() if k != "stdout"})
            pool = papermill("donor_pool", work / "pool",
                             {"visits_path": visits_file, "lang": "en", **POOL_PARAMS})
            step("donor_pool_notebook", {k: v for k, v in pool.items() if k != "stdout"})
            both = workbook_run(work / "donors", visits_file, ("donor_retention", "donor_pool"))
            step("workbook_run_donors", {k: v for k, v in both.items() if k != "stdout"})
            pool_metrics = json.loads((work / "pool" / "metrics.json").read_text("utf-8"))["metrics"]
            res["pool_counts_match_duckdb"] = pool_counts_agree(visits_file, pool_metrics)
            tables.append(work / "workbook" / "scale" / "donor_retention" / "tables" / "cohort_retention.csv")
            metrics = json.loads((work / "retention" / "metrics.json").read_text("utf-8"))
            res["retention_metrics"] = metrics["metrics"]
            tables.append(work / "retention" / "tables" / "cohort_retention.csv")
            for period in ("day", "month"):
                tr = papermill("trends", work / f"trends_{period}",
                               {"timeseries_path": daily_file, "period": period, "lang": "en"})
                step(f"trends_notebook_{period}", {k: v for k, v in tr.items() if k != "stdout"})
        res["cohort_tables_identical"] = same_cohorts(*tables)
        q = res["duckdb"]["query_s"]
        res["ratio_cohort_function_to_duckdb"] = res["cohort_function"]["cohort_s"] / q
        res["ratio_load_to_duckdb"] = res["cohort_function"]["load_s"] / q
        res["ratio_load_prepare_cohort_to_duckdb"] = sum(
            res["cohort_function"][k] for k in ("load_s", "summarise_s", "cohort_s")) / q
        if "donor_retention_notebook" in res:
            res["ratio_notebook_to_duckdb"] = res["donor_retention_notebook"]["wall_s"] / q
            res["ratio_notebook_less_floor_to_duckdb"] = (
                res["donor_retention_notebook"]["wall_s"] - res["papermill_floor"]["wall_s"]) / q
            if "duckdb_steady" in res:
                res["ratio_notebook_to_duckdb_steady"] = (
                    res["donor_retention_notebook"]["wall_s"] / res["duckdb_steady"]["query_s"])
        rows = pd.read_parquet(visits_file, columns=["outcome"]) if visits_file.suffix == ".parquet" \
            else pd.read_csv(visits_file, usecols=["outcome"])
        res["visits_generated"] = len(rows)
        del rows
        sizes = [int(n) for n in args.growth.split(",") if n.strip()]
        if sizes:
            series = {args.visits: {
                "visits_file_mb": res["visits_file_mb"], "duckdb_s": res["duckdb"]["query_s"],
                **({"duckdb_steady_s": res["duckdb_steady"]["query_s"]} if "duckdb_steady" in res else {}),
                "load_s": res["cohort_function"]["load_s"], "read_by": res["cohort_function"]["read_by"],
                "cohort_child_s": res["cohort_function"]["wall_s"],
                "cohort_child_peak_gib": res["cohort_function"]["maxrss_gib"],
                "cohort_tables_identical": res["cohort_tables_identical"]}}
            if "donor_retention_notebook" in res:
                series[args.visits].update(notebook_s=res["donor_retention_notebook"]["wall_s"],
                                           notebook_peak_gib=res["donor_retention_notebook"]["peak_tree_gib"])
            visits_file.unlink(missing_ok=True)  # room for the largest file
            for n in sizes:
                series[n] = growth_step(work, n, args.format, not args.skip_notebooks)
            res["growth"] = series
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: {work}")
    report(res)
    if "growth" in res:
        report_growth(res["growth"])
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str), "utf-8")
    return res


RATIO_TARGET, RATIO_GOAL, PEAK_TARGET_GIB = 3.0, 1.5, 2.5
LARGEST_PEAK_GIB = 24.0  # the 35M-visit run, on a 24 GiB machine


def growth_step(work: Path, n_visits: int, fmt: str, notebook: bool = True) -> dict:
    """One size of the growth series: DuckDB's query, the cohort child and the notebook."""
    visits_file, _ = make_inputs(work, n_visits, fmt)
    out = {"visits_file_mb": visits_file.stat().st_size / 1e6}
    table = work / f"duck_{n_visits}.csv"
    out["duckdb_s"] = child("_duckdb", visits_file, table)["query_s"]
    if thp_switch():
        out["duckdb_steady_s"] = child("_duckdb_steady", visits_file, table)["query_s"]
    coh = child("_cohort", visits_file, work / f"coh_{n_visits}.csv")
    out.update({"load_s": coh["load_s"], "read_by": coh["read_by"],
                "cohort_child_s": coh["wall_s"], "cohort_child_peak_gib": coh["maxrss_gib"]})
    tables = [work / f"duck_{n_visits}.csv", work / f"coh_{n_visits}.csv"]
    if notebook:
        ret = papermill("donor_retention", work / f"retention_{n_visits}",
                        {"visits_path": visits_file, "lang": "en"})
        out.update({"notebook_s": ret["wall_s"], "notebook_peak_gib": ret["peak_tree_gib"]})
        tables.append(work / f"retention_{n_visits}" / "tables" / "cohort_retention.csv")
    out["cohort_tables_identical"] = same_cohorts(*tables)
    if not os.environ.get("BENCH_KEEP_INPUTS"):
        visits_file.unlink()
    print(f"growth {n_visits:,}: {json.dumps(out)}", flush=True)
    return out


def report_growth(series: dict[int, dict]) -> None:
    sizes = sorted(series)
    print("\nvisits        DuckDB  (steady)  load (path)        cohort child  peak     notebook  peak     "
          "identical")
    for n in sizes:
        g = series[n]
        print(f"{n:>12,}  {g['duckdb_s']:6.1f}  ({g.get('duckdb_steady_s', float('nan')):6.1f})  "
              f"{g['load_s']:6.1f} ({g['read_by']:6s})  "
              f"{g['cohort_child_s']:10.1f}  {g['cohort_child_peak_gib']:5.2f}  "
              f"{g.get('notebook_s', float('nan')):8.1f}  "
              f"{g.get('notebook_peak_gib') or float('nan'):5.2f}  "
              f"{g['cohort_tables_identical']}")
    for a, b in zip(sizes, sizes[1:], strict=False):
        key = "notebook_s" if "notebook_s" in series[a] and "notebook_s" in series[b] else "cohort_child_s"
        times, size = series[b][key] / series[a][key], b / a
        print(f"{a:,} -> {b:,}: {size:.1f} x the visits, {times:.2f} x the time ({key}); "
              f"no faster than linear: {'yes' if times <= size else 'NO'}")
    largest = series[sizes[-1]]
    peak = max(largest["cohort_child_peak_gib"], largest.get("notebook_peak_gib") or 0)
    print(f"largest run ({sizes[-1]:,} visits): peak {peak:.2f} GiB "
          f"(target < {LARGEST_PEAK_GIB:.0f} GiB: "
          f"{'met' if peak < LARGEST_PEAK_GIB else 'NOT met'})")


def report(res: dict) -> None:
    def gib(v):
        return "n/a" if v is None else f"{v:.2f} GiB"

    def verdict(value, target, strict=False) -> str:
        if value is None:
            return "n/a"
        return "met" if (value < target if strict else value <= target) else "not met"

    print(f"\nvisits: {res.get('visits_generated', 0):,} ({res['format']}, "
          f"{res.get('visits_file_mb', 0):,.0f} MB), {res['cpus']} CPUs")
    d, c = res["duckdb"], res["cohort_function"]
    print(f"DuckDB cohort SQL on the file:   {d['query_s']:7.2f} s  (child peak {gib(d['maxrss_gib'])},"
          f" {d['threads']} threads; median of {d['runs']})")
    if "duckdb_steady" in res:
        s = res["duckdb_steady"]
        print(f"  the same, huge pages off:      {s['query_s']:7.2f} s  (median of {s['runs']})")
    print(f"inputs.load_visits:              {c['load_s']:7.2f} s")
    print(f"retention.summarise:             {c['summarise_s']:7.2f} s")
    print(f"retention.cohort_retention:      {c['cohort_s']:7.2f} s  (child peak {gib(c['maxrss_gib'])})")
    ratio = res["ratio_cohort_function_to_duckdb"]
    print(f"ratio cohort function / DuckDB:  {ratio:7.2f}  (target <= {RATIO_TARGET}: "
          f"{verdict(ratio, RATIO_TARGET)})")
    print(f"ratio inputs.load_visits / DuckDB: {res['ratio_load_to_duckdb']:5.2f}")
    print(f"ratio load+summarise+cohort / DuckDB: {res['ratio_load_prepare_cohort_to_duckdb']:7.2f}")
    peaks = {"cohort child (load + summarise + cohort)": c.get("maxrss_gib")}
    if "donor_retention_notebook" in res:
        n = res["donor_retention_notebook"]
        print(f"donor_retention notebook:        {n['wall_s']:7.2f} s  peak {gib(n['peak_tree_gib'])} "
              f"(largest process {gib(n['peak_process_gib'])}; getrusage {gib(n['maxrss_children_gib'])}; "
              f"median of {n['runs']})")
        ratio = res["ratio_notebook_to_duckdb"]
        print(f"ratio notebook / DuckDB:         {ratio:7.2f}  (target <= {RATIO_TARGET}: "
              f"{verdict(ratio, RATIO_TARGET)}; goal {RATIO_GOAL}: {verdict(ratio, RATIO_GOAL)})")
        if "ratio_notebook_to_duckdb_steady" in res:
            ratio = res["ratio_notebook_to_duckdb_steady"]
            print(f"  to DuckDB with huge pages off: {ratio:7.2f}  (target <= {RATIO_TARGET}: "
                  f"{verdict(ratio, RATIO_TARGET)})")
        floor = res["papermill_floor"]["wall_s"]
        print(f"papermill, kernel and imports alone: {floor:5.2f} s; notebook less that / DuckDB: "
              f"{res['ratio_notebook_less_floor_to_duckdb']:.2f}")
        peaks["donor_retention notebook (papermill + kernel)"] = n["peak_tree_gib"]
        w = res["workbook_run"]
        print(f"workbook run -n donor_retention: {w['wall_s']:7.2f} s  peak {gib(w['peak_tree_gib'])} "
              f"({w['wall_s'] / res['duckdb']['query_s']:.2f} x DuckDB; the input checked, then handed over)")
        p = res["donor_pool_notebook"]
        print(f"donor_pool notebook:             {p['wall_s']:7.2f} s  peak {gib(p['peak_tree_gib'])} "
              f"({p['wall_s'] / res['duckdb']['query_s']:.2f} x DuckDB's cohort query); pool counts "
              f"as DuckDB's: {res['pool_counts_match_duckdb']}")
        peaks["donor_pool notebook (papermill + kernel)"] = p["peak_tree_gib"]
        b = res["workbook_run_donors"]
        print(f"workbook run, both donor notebooks: {b['wall_s']:5.2f} s  peak {gib(b['peak_tree_gib'])} "
              f"(the file read once)")
    for what, peak in peaks.items():
        print(f"peak memory, {what}: {gib(peak)}  (target < {PEAK_TARGET_GIB} GiB: "
              f"{verdict(peak, PEAK_TARGET_GIB, strict=True)})")
    if "donor_retention_notebook" in res:
        for period in ("day", "month"):
            t = res[f"trends_notebook_{period}"]
            print(f"trends notebook, period={period:5s}:  {t['wall_s']:7.2f} s  "
                  f"peak {gib(t['peak_tree_gib'])}")
    print(f"cohort tables identical:         {res['cohort_tables_identical']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_cohort":
        child_cohort(*sys.argv[2:4])
    elif len(sys.argv) > 1 and sys.argv[1] == "_duckdb":
        child_duckdb(*sys.argv[2:4])
    elif len(sys.argv) > 1 and sys.argv[1] == "_duckdb_steady":
        huge_pages_off()
        child_duckdb(*sys.argv[2:4])
    else:
        main()
