"""Strict notebook parameters: read with papermill's own inspection, checked before running.

Papermill on its own warns about an unknown key and runs anyway; here an
unknown key, a value of the wrong type or a bad input file stops the run
before anything executes.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import importlib
import importlib.util
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import config
from analysis.errors import InputError, InputNote, ParamsError, WorkbookError

# Parameters the runner itself provides; a params file does not set them.
RUNNER_PARAMS = ("output_dir",)



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


# A parameter's domain is declared at the end of its help comment, in a form papermill's
# own inspection still reads (no "=" in it): "one of: vi, en" or "range: (0, 1]".
_ONE_OF = re.compile(r"one of:\s*(?P<values>[^;()]+?)\s*$")
_RANGE = re.compile(
    r"range:\s*(?P<open>[\[(])\s*(?P<low>[-+.\w]+)\s*,\s*(?P<high>[-+.\w]+)\s*(?P<close>[\])])\s*$"
)


def domain(spec: ParamSpec) -> tuple[str, object] | None:
    """("one of", [values]) or ("range", (low, high, low_closed, high_closed)) from the help, or None."""
    for part in (p.strip() for p in spec.help.split(";")):
        if match := _ONE_OF.search(part):
            return "one of", [v.strip().strip("\"'") for v in match["values"].split(",") if v.strip()]
        if match := _RANGE.search(part):
            return "range", (float(match["low"]), float(match["high"]),
                             match["open"] == "[", match["close"] == "]")
    return None


def _outside(spec: ParamSpec, value: object) -> str | None:
    """What is wrong with a value of the right type that lies outside the parameter's domain."""
    declared = domain(spec)
    if declared is None or value is None:
        return None
    kind, allowed = declared
    if kind == "one of":
        if str(value) in allowed:
            return None
        return f"allowed values are {', '.join(allowed)}; got {value!r}"
    low, high, low_closed, high_closed = allowed
    above = value >= low if low_closed else value > low
    below = value <= high if high_closed else value < high
    if above and below:
        return None
    shown = f"{'[' if low_closed else '('}{low:g}, {high:g}{']' if high_closed else ')'}"
    return f"allowed range is {shown}; got {value!r}"


def check_value(spec: ParamSpec, value: object) -> str | None:
    """None if `value` suits the parameter (its type, then its declared domain), else what is wrong."""
    wrong = _check_type(spec, value)
    return wrong if wrong else _outside(spec, value)


def _check_type(spec: ParamSpec, value: object) -> str | None:
    type_name = spec.type_name.replace(" ", "")
    optional = type_name.startswith("Optional[") or type_name == "None"
    base = type_name[len("Optional[") : -1] if type_name.startswith("Optional[") else type_name
    if value is None:
        return None if optional else f"expected {base}, got null"
    if spec.name == "as_of" or spec.name.endswith("_date"):
        return None if _is_date(value) else f"expected an ISO date (YYYY-MM-DD), got {value!r}"
    if spec.name.endswith("_columns"):
        if column_mapping_ok(value):
            return None
        return (f"expected a mapping {{canonical_name: name_in_file}} (a date may be a list such as "
                f"[year, month]; null leaves a column out), got {value!r}")
    if spec.name.endswith("_breakdowns"):
        if breakdowns_ok(value):
            return None
        return (f"expected a list of column names (a nested group as {{whole_blood: [bag_250, "
                f"bag_350]}}, independent groups as a list of lists), got {value!r}")
    checks = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "dict": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
    }
    kinds = base[len("Union["):-1].split(",") if base.startswith("Union[") else [base]
    found = [checks.get(kind) for kind in kinds]
    if None in found or any(check(value) for check in found):
        return None
    return f"expected {' or '.join(kinds)}, got {type(value).__name__} {value!r}"


def column_mapping_ok(value: object) -> bool:
    """A `*_columns` value: {name: header}, a date's {name: [part headers]}, {name: null}."""
    from analysis.inputs.dateroles import is_date_mapping  # the data layer: only when a mapping is given

    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str) or is_date_mapping(v))
        for k, v in value.items())


def breakdowns_ok(value: object) -> bool:
    """A `*_breakdowns` value: names, {parent: [names]} groups, or lists of those."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return bool(value) and all(isinstance(k, str) and breakdowns_ok(v) for k, v in value.items())
    if isinstance(value, list):
        return bool(value) and all(breakdowns_ok(v) for v in value)
    return False


def resolve_dates(values: dict) -> dict:
    """YAML reads 2023-08-10 as a date; notebooks take ISO strings."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def select(
    given: dict,
    specs_by_notebook: dict[str, dict[str, ParamSpec]],
    source: str,
    known: set[str] | None = None,
    origins: dict[str, str] | None = None,
) -> dict[str, dict]:
    """Each notebook's parameters from one params file; unknown keys and bad values raise.

    `known` is every parameter any notebook declares: a key that only an
    unselected notebook takes (`-n` chose others) is not a typo and is left out.
    `origins` names where a key came from when not from `source` (the command line).
    """
    known = known or {name for specs in specs_by_notebook.values() for name in specs}
    origins = origins or {}
    problems = []
    for key in given:
        where = origins.get(key, source)
        if key in RUNNER_PARAMS:
            problems.append(f"{where}: parameter {key!r} is set by the runner, not by a params file")
        elif key not in known:
            problems.append(f"{where}: " + _unknown("parameter", key, sorted(known - set(RUNNER_PARAMS))))
    chosen: dict[str, dict] = {}
    for notebook, specs in specs_by_notebook.items():
        mine = {k: v for k, v in given.items() if k in specs and k not in RUNNER_PARAMS}
        for key, value in mine.items():
            wrong = check_value(specs[key], value)
            if wrong:
                where = origins.get(key, source)
                problems.append(f"{where}: parameter {key!r} ({specs[key].type_name}): {wrong}")
        chosen[notebook] = resolve_dates(mine)
    if problems:
        raise ParamsError(list(dict.fromkeys(problems)))
    return chosen


COMMAND_LINE = "command line (-p)"
NOTEBOOKS_KEY = "notebooks"  # a params file may name the notebooks it is for


def split_notebooks(given: dict, source: str, available: list[str]) -> tuple[dict, list[str] | None]:
    """A params file's values without its `notebooks:` key, and that list (None: every notebook)."""
    values = dict(given)
    wanted = values.pop(NOTEBOOKS_KEY, None)
    if wanted is None:
        return values, None
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list) or not all(isinstance(n, str) for n in wanted):
        raise ParamsError([f"{source}: {NOTEBOOKS_KEY!r} must be a list of notebook names, got {wanted!r}"])
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise ParamsError([f"{source}: " + _unknown("notebook", n, available) for n in unknown])
    return values, wanted


def run_name(stem: str, overrides: dict, name: str | None = None) -> str:
    """A run's name: `--name`, else the params file's stem, plus the overrides when there are any,
    so that `-p region X` never replaces the report of the plain params file."""
    if name:
        return _safe_name(name)
    if not overrides:
        return stem
    parts = [f"{k}-{v}" for k, v in sorted(overrides.items())]
    return _safe_name(stem + "+" + "+".join(parts))


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^\w.+-]+", "_", str(text), flags=re.ASCII).strip("._")[:80]
    return cleaned or "run"


def effective(specs: dict[str, ParamSpec], chosen: dict) -> dict:
    """Defaults overlaid with the chosen values: what the notebook will see."""
    values = {name: spec.default for name, spec in specs.items() if name not in RUNNER_PARAMS}
    values.update(chosen)
    return values


def check_inputs(notebook: str, values: dict, source: str) -> None:
    """Every input file a run will read exists and passes the data layer's checks.

    The notebook's own declaration (`analysis.reports.<notebook>.inputs.read`)
    reads them, as the notebook will: the campaign is looked up and a session
    sheet checked against it, so what would stop the notebook stops the run
    before anything executes.
    """
    paths = {name: value for name, value in values.items() if name.endswith("_path") and value is not None}
    has_package = importlib.util.find_spec(f"analysis.reports.{notebook}") is not None
    if not paths and not has_package:
        return  # nothing to read: the data layer (and pandas) is not even imported
    from analysis import inputs

    problems = []
    for name, value in paths.items():
        unusable = inputs.file_problem(config.resolve(value))
        if unusable:  # not found, a folder, a pipe, past the byte limit...: said as such
            problems.append(f"{source}: parameter {name!r}: input {value}: {unusable}")
    if problems:
        raise ParamsError(problems)
    declaration = f"analysis.reports.{notebook}.inputs"
    if not has_package:
        return  # a notebook without a report package of its own declares no input kinds
    try:
        with warnings.catch_warnings():  # notes on a file that loads: the report says them
            warnings.simplefilter("ignore", InputNote)
            importlib.import_module(declaration).read(values)
    except WorkbookError as exc:
        lines = str(exc).splitlines()  # a file's problems name the file; others name the params
        if not isinstance(exc, InputError):
            lines = [f"{source}: {line}" for line in lines]
        raise ParamsError(lines) from None
