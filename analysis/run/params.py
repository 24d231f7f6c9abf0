"""Strict notebook parameters: read with papermill's own inspection, checked before running.

Papermill on its own warns about an unknown key and runs anyway; here an
unknown key, a value of the wrong type or a bad input file stops the run
before anything executes.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import config
from analysis.errors import ParamsError, UnknownCampaign, WorkbookError

# Parameters the runner itself provides; a params file does not set them.
RUNNER_PARAMS = ("output_dir",)

# Which input kind a path parameter holds, for checking it before a run.
PATH_KINDS = {
    "totals_path": "totals",
    "campaigns_path": "campaigns",
    "sessions_path": "sessions",
    "timeseries_path": "timeseries",
    "visits_path": "visits",
}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type_name: str
    default: object
    help: str


def notebooks(names: list[str] | None = None) -> dict[str, Path]:
    """The notebooks to run: all of notebooks/ or those named (stem or file name)."""
    found = {p.stem: p for p in sorted(config.NOTEBOOKS.glob("*.ipynb"))}
    if not names:
        return found
    chosen = {}
    for name in names:
        stem = Path(name).stem
        if stem not in found:
            raise ParamsError([_unknown("notebook", stem, list(found))])
        chosen[stem] = found[stem]
    return chosen


def declared(notebook: Path) -> dict[str, ParamSpec]:
    """The parameters a notebook declares in its `parameters` cell."""
    import papermill

    specs = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        specs[name] = ParamSpec(name, info["inferred_type_name"] or "None", default, info["help"] or "")
    return specs


def declared_all(paths: dict[str, Path], saved: dict) -> tuple[dict[str, dict[str, ParamSpec]], dict]:
    """`declared()` of several notebooks, reusing `saved` for notebooks whose content is unchanged.

    papermill's inspection loads nbformat and papermill (seconds at start-up).
    Returns the specs and the cache to save (see `read_cache`, `write_cache`).
    """
    import hashlib

    result, fresh = {}, {}
    for name, path in paths.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = saved.get(str(path))
        if entry and entry["sha256"] == digest:
            result[name] = {k: ParamSpec(**v) for k, v in entry["specs"].items()}
        else:
            result[name] = declared(path)
        fresh[str(path)] = {"sha256": digest, "specs": {k: vars(v) for k, v in result[name].items()}}
    return result, fresh


def read_cache(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def write_cache(path: Path, payload: dict) -> None:
    import json

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, default=str), "utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _unknown(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(known))}"
    return f"unknown {what} {name!r}{hint}"


def load_params_file(path: Path) -> dict:
    """A YAML params file as a dict (an empty file is no parameters)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError([f"{path}: params file not found"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ParamsError([f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError([f"{path}: expected a mapping of parameter names to values"])
    return data


def parse_override(key: str, text: str) -> object:
    """A `-p KEY VALUE` value, read as YAML so 0.8, null and {a: b} mean what they say."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _is_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def check_value(spec: ParamSpec, value: object) -> str | None:
    """None if `value` suits the parameter, else what is wrong."""
    type_name = spec.type_name.replace(" ", "")
    optional = type_name.startswith("Optional[") or type_name == "None"
    base = type_name[len("Optional[") : -1] if type_name.startswith("Optional[") else type_name
    if value is None:
        return None if optional else f"expected {base}, got null"
    if spec.name == "as_of" or spec.name.endswith("_date"):
        return None if _is_date(value) else f"expected an ISO date (YYYY-MM-DD), got {value!r}"
    if spec.name.endswith("_columns"):
        if isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            return None
        return f"expected a mapping {{canonical_name: name_in_file}} of strings, got {value!r}"
    checks = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "dict": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
    }
    check = checks.get(base)
    if check is None or check(value):
        return None
    return f"expected {base}, got {type(value).__name__} {value!r}"


def resolve_dates(values: dict) -> dict:
    """YAML reads 2023-08-10 as a date; notebooks take ISO strings."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def select(
    given: dict,
    specs_by_notebook: dict[str, dict[str, ParamSpec]],
    source: str,
    known: set[str] | None = None,
) -> dict[str, dict]:
    """Each notebook's parameters from one params file; unknown keys and bad types raise.

    `known` is every parameter any notebook declares: a key that only an
    unselected notebook takes (`-n` chose others) is not a typo and is left out.
    """
    known = known or {name for specs in specs_by_notebook.values() for name in specs}
    problems = []
    for key in given:
        if key in RUNNER_PARAMS:
            problems.append(f"{source}: parameter {key!r} is set by the runner, not by a params file")
        elif key not in known:
            problems.append(f"{source}: " + _unknown("parameter", key, sorted(known - set(RUNNER_PARAMS))))
    chosen: dict[str, dict] = {}
    for notebook, specs in specs_by_notebook.items():
        mine = {k: v for k, v in given.items() if k in specs and k not in RUNNER_PARAMS}
        for key, value in mine.items():
            wrong = check_value(specs[key], value)
            if wrong:
                problems.append(f"{source}: parameter {key!r} ({specs[key].type_name}): {wrong}")
        chosen[notebook] = resolve_dates(mine)
    if problems:
        raise ParamsError(list(dict.fromkeys(problems)))
    return chosen


def effective(specs: dict[str, ParamSpec], chosen: dict) -> dict:
    """Defaults overlaid with the chosen values: what the notebook will see."""
    values = {name: spec.default for name, spec in specs.items() if name not in RUNNER_PARAMS}
    values.update(chosen)
    return values


def check_inputs(values: dict, source: str, loaded_before: dict | None = None) -> None:
    """Every input file a run will read exists and passes the data layer's checks,
    whatever its size: a bad file stops the run before any notebook starts.

    Then the request itself: the campaign_id is a published campaign, and a
    session sheet's sessions and `as_of` fit that campaign.
    """
    from analysis import inputs

    problems, loaded = [], {}
    campaigns_path = values.get("campaigns_path")
    for name, value in values.items():
        if not name.endswith("_path") or value is None:
            continue
        path = config.resolve(value)
        unusable = inputs.file_problem(path)
        if unusable:  # not found, a folder, a pipe, past the byte limit...: said as such
            problems.append(f"{source}: parameter {name!r}: input {value}: {unusable}")
            continue
        kind = PATH_KINDS.get(name)
        if kind is None:
            continue
        columns = values.get(name.replace("_path", "_columns"))
        campaigns = config.resolve(campaigns_path) if kind == "sessions" and campaigns_path else None
        memo = (str(path), kind, repr(columns), str(campaigns))
        if loaded_before is not None and memo in loaded_before:
            loaded[name] = loaded_before[memo]  # the same file, already checked in this plan
            continue
        try:
            if kind == "timeseries":  # also takes the published national layout, as the notebook does
                from analysis.reports.trends import compute as trends

                loaded[name] = trends.read_series(path, columns)
            else:
                loaded[name] = inputs.load(path, kind, columns, campaigns=campaigns)
            if loaded_before is not None:
                loaded_before[memo] = loaded[name]
        except WorkbookError as exc:
            problems.extend(str(exc).splitlines())
    if not problems and "campaign_id" in values and "campaigns_path" in loaded:
        problems.extend(_check_campaign(values, loaded, source))
    if problems:
        raise ParamsError(problems)


def _check_campaign(values: dict, loaded: dict, source: str) -> list[str]:
    """The campaign exists; a progress request's sessions and as_of fit it."""
    from analysis.inputs import published
    from analysis.reports.campaign_progress import compute as progress

    try:
        plan = published.campaign(values["campaign_id"], loaded["campaigns_path"])
    except UnknownCampaign as exc:
        return [f"{source}: {exc}"]
    if "as_of" not in values:
        return []
    try:
        if "sessions_path" in loaded:
            sheet = loaded["sessions_path"]
        else:
            sheet = progress.published_sheet(plan.campaign_id, loaded["campaigns_path"])
        progress.prepare(sheet, plan, loaded["campaigns_path"], values.get("as_of"))
    except WorkbookError as exc:
        return [f"{source}: {exc}"]
    return []
