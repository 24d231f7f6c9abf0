"""The `workbook` command: run reports, list parameters, check input files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import config, errors


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbook", description="Blood-donation campaign workbook: reports from notebooks."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the notebooks for each params file and publish reports")
    run.add_argument(
        "params_files",
        nargs="*",
        type=Path,
        metavar="PARAMS.yaml",
        help="one run per file, named after its stem (default: params/default.yaml); "
        "a file's `notebooks: [...]` key chooses its notebooks",
    )
    run.add_argument(
        "-n",
        "--notebook",
        action="append",
        dest="notebooks",
        metavar="NOTEBOOK",
        help="run only this notebook (repeatable; default: all in notebooks/)",
    )
    run.add_argument(
        "-p",
        "--param",
        action="append",
        nargs=2,
        default=[],
        metavar=("KEY", "VALUE"),
        help="override one parameter for every run (VALUE read as YAML)",
    )
    run.add_argument(
        "-o", "--out", type=Path, default=config.REPORTS, help="output folder (default: reports/)"
    )
    run.add_argument(
        "-j", "--jobs", type=int, default=None, help="parallel workers (default: number of cores)"
    )
    run.add_argument("--force", action="store_true", help="re-run notebooks whose reports are up to date")
    run.add_argument(
        "--no-pdf", dest="pdfs", action="store_false",
        help="print no report.pdf (quicker drafts; a later run without it prints the missing ones)",
    )
    run.add_argument(
        "--name", default=None,
        help="name of the run and its folder under OUT "
        "(default: the params file's stem, plus any -p overrides)",
    )

    par = sub.add_parser("params", help="list each notebook's parameters with type, default and help")
    par.add_argument("notebook", nargs="?", help="one notebook (default: all)")

    check = sub.add_parser("check", help="check an input file and summarise it")
    check.add_argument("file")
    check.add_argument(
        "--kind", required=True, choices=["campaigns", "totals", "sessions", "timeseries", "visits"]
    )
    check.add_argument("--columns", default=None,
                       help='JSON mapping {"canonical_name": "name_in_file"}; a date may be '
                            '["year", "month"], null leaves a column out')
    check.add_argument("--breakdowns", default=None,
                       help="JSON list of a time series' breakdown columns, e.g. "
                            '[{"whole_blood": ["bag_250", "bag_350"]}, "components"]')
    return parser


def _cmd_run(args) -> int:
    from analysis.run import params, runner

    overrides = {key: params.parse_override(key, value) for key, value in args.param}
    files = args.params_files or [config.DEFAULT_PARAMS]
    return runner.run(files, args.notebooks, overrides, args.out, args.jobs, args.force, name=args.name,
                      pdfs=args.pdfs)


def _cmd_params(args) -> int:
    from analysis.run import params

    try:
        chosen = params.notebooks([args.notebook] if args.notebook else None)
    except errors.ParamsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in chosen.items():
        print(f"{name}:")
        for spec in params.declared(path).values():
            note = "  (set by the runner)" if spec.name in params.RUNNER_PARAMS else ""
            print(f"  {spec.name}: {spec.type_name} = {spec.default!r}  # {spec.help}{note}")
    return 0


def _cmd_check(args) -> int:
    from analysis.run.check import run_check

    return run_check(args.file, args.kind, args.columns, args.breakdowns)


def _stop_on_sigterm() -> None:
    """SIGTERM ends a run like Ctrl-C: finished reports stay, unfinished ones are dropped."""
    import signal

    def _raise(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


def _notes_as_lines() -> None:
    """A note for the user (an InputNote, such as a new pseudonym key file) prints as one
    `note: ...` line on stderr, not as a Python warning with its source line."""
    import warnings

    plain = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, errors.InputNote):
            print(f"note: {message}", file=sys.stderr)
        else:
            plain(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _stop_on_sigterm()
    _notes_as_lines()
    handler = {"run": _cmd_run, "params": _cmd_params, "check": _cmd_check}[args.command]
    try:
        return handler(args)
    except errors.WorkbookError as exc:  # the user's input or parameters: one clear message, exit 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; earlier reports are untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
