"""`workbook run`: every selected notebook for every params file, published safely.

Each (params file, notebook) pair is a job. Jobs are planned and checked
first (parameters, input files): any problem stops the run with exit 2 before
anything executes. Jobs whose inputs have not changed since their last report
are skipped. The rest run in worker processes, each importing papermill once,
on warm kernels: forked from one process that imported the notebooks' modules
once for the whole batch (analysis/run/kernels.py), or plain ones where forking
is not possible.
A report is built in a temporary folder beside its target and swapped into
place only when complete, so a failed or interrupted run leaves the last good
report as it was.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis import config, errors
from analysis.output import pdf, provenance, publish
from analysis.run import kernels, params

FINGERPRINT_FILE = ".fingerprint"
CACHE_DIR = ".cache"
# The kernel's own start-up warnings (e.g. about its local TCP transport) are noise in a batch.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
TMP_PREFIX = ".tmp-"
OLD_PREFIX = ".old-"


@dataclass
class Job:
    run: str
    notebook: str
    notebook_path: str
    parameters: dict
    target: str
    fingerprint: str = ""


@dataclass
class Result:
    run: str
    notebook: str
    status: str  # "ok", "failed", "up to date"
    seconds: float
    report: str
    message: str = ""
    extra: dict = field(default_factory=dict)


# planning -------------------------------------------------------------------
def _hash_files(paths, digest) -> None:
    for path in paths:
        digest.update(
            str(path.relative_to(config.ROOT) if path.is_relative_to(config.ROOT) else path).encode()
        )
        with open(path, "rb") as fh:  # in blocks: an input file may be a national series of 2 GiB
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)


class _Recorded:
    """Stands in for a digest: keeps what it is given, to be replayed into many (see `code_digest`)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def update(self, data: bytes) -> None:
        self.parts.append(data)


def package_files(package: Path) -> list[Path]:
    """Every file of the package that shapes a report: its code, templates, catalogues, style sheet.

    All files but compiled bytecode, so a kind of file added later is covered too.
    """
    return sorted(
        p for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


def code_digest(package: Path | None = None) -> list[bytes]:
    """What `fingerprint` hashes of the code (package files, lock file), read once for many jobs."""
    recorded = _Recorded()
    package = package or Path(__file__).resolve().parents[1]  # all of analysis/, not only analysis/run/
    _hash_files(package_files(package), recorded)
    if config.LOCK_FILE.is_file():
        _hash_files([config.LOCK_FILE], recorded)
    return recorded.parts


def fingerprint(notebook: Path, values: dict, code: list[bytes] | None = None) -> str:
    """What a report depends on: notebook, parameters, input files, package files, lock file."""
    digest = hashlib.sha256()
    _hash_files([notebook], digest)
    digest.update(json.dumps(values, sort_keys=True, default=str).encode())
    inputs = [config.resolve(v) for k, v in sorted(values.items()) if k.endswith("_path") and v]
    _hash_files([p for p in inputs if p.is_file()], digest)
    for part in code_digest() if code is None else code:
        digest.update(part)
    return digest.hexdigest()


def plan(
    params_files: list[Path], names: list[str] | None, overrides: dict, out: Path, force: bool = False,
    name: str | None = None, on_stale=None, code: list[bytes] | None = None,
) -> list[Job]:
    """All jobs of a run, checked; raises ParamsError listing every problem.

    Inputs of a job that is up to date were checked when its report was made
    and have not changed since, so they are not read again. A params file's
    `notebooks:` list narrows the notebooks for that file; `-n` narrows further.
    When the parameters are right, `on_stale(jobs)` gets the jobs that will run
    before their inputs are checked (the runner starts its workers then).
    """
    cache = out / CACHE_DIR / "parameters.json"
    saved = params.read_cache(cache)
    every, fresh = params.declared_all(params.notebooks(None), saved)
    chosen_notebooks = params.notebooks(names)
    specs = {nb: every[nb] for nb in chosen_notebooks}
    known = {n for s in every.values() for n in s}
    jobs, stale, problems = [], [], []
    code = code_digest() if code is None else code
    runs = [params.run_name(p.stem, overrides, name) for p in params_files]
    if len(set(runs)) != len(runs):
        problems.append("two params files share a name; each run is named after its file's stem")
    origins = dict.fromkeys(overrides, params.COMMAND_LINE)
    for params_file, run in zip(params_files, runs, strict=True):
        try:
            given, wanted = params.split_notebooks(params.load_params_file(params_file), str(params_file),
                                                   list(every))
            mine = {nb: specs[nb] for nb in chosen_notebooks if wanted is None or nb in wanted}
            selected = params.select({**given, **overrides}, mine, str(params_file), known, origins)
        except errors.ParamsError as exc:
            problems.extend(exc.problems)
            continue
        for notebook in mine:
            path = chosen_notebooks[notebook]
            values = params.effective(specs[notebook], selected[notebook])
            job = Job(
                run=run,
                notebook=notebook,
                notebook_path=str(path),
                parameters=selected[notebook],
                target=str(out / run / notebook),
                fingerprint=fingerprint(path, values, code),
            )
            jobs.append(job)
            if force or not up_to_date(job):
                stale.append((job, values, f"{params_file} [{notebook}]"))
    if stale and on_stale and not problems:
        on_stale([job for job, _, _ in stale])
    for job, values, source in stale:
        try:
            params.check_inputs(job.notebook, values, source)
        except errors.ParamsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise errors.ParamsError(list(dict.fromkeys(problems)))
    if fresh != saved:
        params.write_cache(cache, fresh)
    return jobs


def up_to_date(job: Job) -> bool:
    marker = Path(job.target) / FINGERPRINT_FILE
    return marker.is_file() and marker.read_text().strip() == job.fingerprint


def clean_leftovers(out: Path, spare: Path | None = None) -> None:
    """Remove temporary folders an interrupted run left behind (not `spare`: this run's own)."""
    if not out.is_dir():
        return

    def temporary(folder: Path) -> bool:
        return folder.is_dir() and folder.name.startswith((TMP_PREFIX, OLD_PREFIX))

    runs = [d for d in out.iterdir() if d.is_dir() and not temporary(d)]
    for run_dir in [out, *runs]:
        for leftover in run_dir.iterdir():
            if leftover != spare and temporary(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


# executing (in a worker process) ---------------------------------------------
@functools.cache
def _versions() -> dict:
    return provenance.versions()


def _swap_into_place(built: Path, target: Path) -> None:
    """Move a finished report over the old one; a reader sees one or the other."""
    if not target.exists():
        os.replace(built, target)
        return
    old = target.parent / f"{OLD_PREFIX}{target.name}-{uuid.uuid4().hex[:8]}"
    os.replace(target, old)
    os.replace(built, target)
    shutil.rmtree(old, ignore_errors=True)


def execute(job: Job) -> Result:
    """Run one notebook into a temporary folder, then publish it."""
    import papermill

    started = time.monotonic()
    print(f"running {job.run} / {job.notebook} ...", flush=True)
    target = Path(job.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = target.parent / f"{TMP_PREFIX}{target.name}-{uuid.uuid4().hex[:8]}"
    build.mkdir()
    executed = build / "notebook.ipynb"
    warm = {"kernel_manager_class": kernels.manager_class(warm=_warm_kernels)}
    try:
        try:
            papermill.execute_notebook(
                job.notebook_path,
                str(executed),
                parameters={**job.parameters, "output_dir": str(build)},
                kernel_name="python3",
                progress_bar=False,
                extra_arguments=KERNEL_ARGUMENTS,
                log_output=False,
                request_save_on_cell_execute=False,  # written once, at the end: only the end is read
                cwd=str(config.ROOT),
                **warm,
            )
        except papermill.PapermillExecutionError as exc:
            return _keep_failure(job, build, executed, started, f"{exc.ename}: {exc.evalue}")
        dropped = publish.finish_report(build, job.run, job.notebook, job.parameters, _versions())
        (build / FINGERPRINT_FILE).write_text(job.fingerprint)
        _swap_into_place(build, target)
    except Exception as exc:  # disk full, permissions: the old report must survive
        shutil.rmtree(build, ignore_errors=True)
        return Result(
            job.run, job.notebook, "failed", time.monotonic() - started, "", f"{type(exc).__name__}: {exc}"
        )
    extra = {"dropped": dropped}
    if _warm_kernels:
        extra["kernel"] = kernels.last_launch()
    return Result(job.run, job.notebook, "ok", time.monotonic() - started, str(target / "report.html"),
                  extra=extra)


@contextlib.contextmanager
def checked_inputs_folder(out: Path):
    """The run's private folder (mode 0700) in `out`, named in the environment for the workers
    and kernels: the input check leaves a large visits file's compact frame there and the
    notebooks take it instead of reading the file again (inputs/handoff.py). Removed when the
    run ends; a run killed before that leaves it to the next run's `clean_leftovers`, as it
    leaves its half-built reports. None (and no handing over) when `out` cannot be written."""
    import tempfile

    made_out = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}checked-", dir=out))
    except OSError:
        yield None  # the run says what is wrong with `out` where it writes there
        return
    previous = os.environ.get(config.CHECKED_INPUTS_ENV)
    os.environ[config.CHECKED_INPUTS_ENV] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(config.CHECKED_INPUTS_ENV, None)
        else:
            os.environ[config.CHECKED_INPUTS_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)
        if made_out:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if empty: a run refused before anything leaves no folder


def _keep_failure(job: Job, build: Path, executed: Path, started: float, message: str) -> Result:
    """Keep the executed notebook with its error under the run folder; drop the rest."""
    failed_dir = Path(job.target).parent / "failed"
    failed_dir.mkdir(exist_ok=True)
    kept = failed_dir / f"{job.notebook}.ipynb"
    if executed.is_file():
        os.replace(executed, kept)
    shutil.rmtree(build, ignore_errors=True)
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    return Result(job.run, job.notebook, "failed", time.monotonic() - started, str(kept), first_line)


_warm_kernels = False  # in a worker: whether a fork server was handed over


def _worker_init(fork_server: str | None = None) -> None:
    import signal

    # A worker stopped by Ctrl-C or SIGTERM just ends (its half-built report is
    # a temporary folder); the main process says what happened, once.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.setdefault("MPLBACKEND", "agg")
    import papermill  # noqa: F401  (imported once per worker)

    global _warm_kernels
    _warm_kernels = fork_server is not None
    kernels.use(fork_server)


# the whole run ---------------------------------------------------------------
def run(
    params_files: list[Path],
    names: list[str] | None,
    overrides: dict,
    out: Path,
    jobs: int | None = None,
    force: bool = False,
    echo=print,
    name: str | None = None,
    pdfs: bool = True,
) -> int:
    """Plan, execute and publish; returns the exit code (0 ok, 1 a notebook failed, 2 bad input).

    pdfs=False: no report.pdf is printed (a later run with PDFs prints the missing ones).
    """
    workers = _Workers(jobs)
    # named in the environment before the workers and kernels start, so they inherit it
    with checked_inputs_folder(out) as checked:
        try:
            return _run(params_files, names, overrides, out, force, echo, name, workers, pdfs, checked)
        finally:
            workers.stop()


def _run(params_files, names, overrides, out, force, echo, name, workers: _Workers, pdfs: bool = True,
         checked: Path | None = None) -> int:
    try:
        code = code_digest()
        planned = plan(params_files, names, overrides, out, force, name, on_stale=workers.start, code=code)
    except errors.ParamsError as exc:
        for line in exc.problems:
            echo(f"error: {line}", file=sys.stderr)
        echo("nothing was run; no report was changed", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out, spare=checked)
    results: list[Result] = []
    todo = []
    for job in planned:
        if not force and up_to_date(job):
            results.append(
                Result(job.run, job.notebook, "up to date", 0.0, str(Path(job.target) / "report.html"))
            )
        else:
            todo.append(job)
    total = len(planned)
    for r in results:
        echo(f"[{len(results)}/{total}] {r.run} / {r.notebook}: up to date")
    printer = pdf.Printer(pdfs)  # one browser for the batch, started by the first report it prints
    if todo:
        workers.start(todo)
        echo(f"running {len(todo)} notebook{'s' if len(todo) > 1 else ''} on {workers.size} "
             f"worker{'s' if workers.size > 1 else ''}, {workers.kernels}")
        workers.execute(todo, results, total, echo, printer)
        workers.stop()
    _finish_pdfs(printer, results, echo)
    for run_name in dict.fromkeys(j.run for j in planned):
        mine = [r for r in results if r.run == run_name]
        publish.write_run_status(out / run_name, [asdict(r) for r in mine])
        if any(r.status != "up to date" for r in mine) or not (out / run_name / "summary.xlsx").exists():
            publish.write_summary_xlsx(out / run_name)
    publish.write_index(out, code)
    echo(_table(results))
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        echo(f"failed: {r.run} / {r.notebook}: {r.message} (executed copy: {r.report})", file=sys.stderr)
    return 1 if failed else 0


class _Workers:
    """The run's worker processes and the fork server of their kernels (analysis/run/kernels.py).

    Started together, as soon as planning knows which notebooks will run, so that
    the server's imports and the workers' start overlap the input checks, and so
    that workers and server share one environment (a kernel whose environment
    differed from the server's would be refused).
    """

    def __init__(self, jobs: int | None):
        self.jobs, self.size, self.pool, self.server, self.kernels = jobs, 0, None, None, ""

    def start(self, todo: list[Job]) -> None:
        if self.pool:
            return
        self.size = max(1, min(self.jobs or os.cpu_count() or 1, len(todo)))
        reason = kernels.unavailable()
        if not reason and len(todo) < 2:
            # The server imports what every notebook of the batch might need: for one notebook that is
            # more than its own kernel would import, and nothing is shared.
            reason = "one notebook: nothing to share"
        if not reason:
            notebooks = dict.fromkeys(job.notebook_path for job in todo)
            env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND", "agg")}  # as the workers have it
            try:
                self.server = kernels.ForkServer(kernels.notebook_imports(notebooks), config.ROOT, env)
            except OSError as exc:
                reason = f"no fork server: {exc}"
        self.kernels = f"plain kernel{'s' if len(todo) > 1 else ''} ({reason})" if reason else (
            "warm kernels (modules imported once, a fresh kernel forked for each notebook)"
        )
        address = self.server.address if self.server else None
        from concurrent.futures import ProcessPoolExecutor  # only when something runs

        self.pool = ProcessPoolExecutor(max_workers=self.size, initializer=_worker_init, initargs=(address,))
        self.pool.submit(int)  # the workers start now (all at once, as forked processes do)

    def execute(self, todo: list[Job], results: list[Result], total: int, echo, printer: pdf.Printer) -> None:
        from concurrent.futures import as_completed

        futures = {self.pool.submit(execute, job): job for job in todo}
        printer.start()  # here, while the workers wait for their first kernels
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker that died
                result = Result(job.run, job.notebook, "failed", 0.0, "", f"worker died: {exc}")
            results.append(result)
            _print_pdf(printer, result, echo)  # here, while the workers run the next notebooks
            kernel = result.extra.get("kernel", "warm")
            note = f", {kernel} kernel" if self.server and kernel != "warm" else ""
            echo(
                f"{_bar(len(results), total)} [{len(results)}/{total}] {result.run} / {result.notebook}: "
                f"{result.status} ({result.seconds:.1f} s{note})"
            )

    def stop(self) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.server:
            self.server.stop()
            self.server = None


def _print_pdf(printer: pdf.Printer, result: Result, echo) -> None:
    """report.pdf beside a finished report; a note when its export left warnings out."""
    if result.status == "failed" or not Path(result.report).is_file():
        return
    dropped = result.extra.get("dropped", {}).get("stderr", 0)
    if dropped:
        echo(f"note: {result.run} / {result.notebook}: {dropped} warning output(s) left out of report.html")
    printer.print(Path(result.report))


def _finish_pdfs(printer: pdf.Printer, results: list[Result], echo) -> None:
    """The PDFs of up-to-date reports made without a browser, then one line if none could be made."""
    try:
        for result in results if printer.enabled else []:
            if result.status == "up to date" and not (Path(result.report).parent / pdf.PDF_FILE).is_file():
                _print_pdf(printer, result, echo)
    finally:
        printer.close()
    if printer.reason:
        echo(f"warning: report.pdf not written: {printer.reason}", file=sys.stderr)


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = int(width * done / total) if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _table(results: list[Result]) -> str:
    rows = [("run", "notebook", "status", "seconds", "report")]
    rows += [(r.run, r.notebook, r.status, f"{r.seconds:.1f}", _short(r.report)) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _short(path: str) -> str:
    with contextlib.suppress(ValueError):
        return str(Path(path).resolve().relative_to(Path.cwd()))
    return path

