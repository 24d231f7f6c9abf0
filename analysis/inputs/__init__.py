"""The input layer: the only part of the workbook that opens files.

`load(path, kind, columns)` reads an analyst's CSV, XLSX or Parquet file into a
checked frame of one of the input kinds (see `schema`); `published` reads the
figures under data/published/. Visits are protected on load (`identifiers`,
`pseudonyms`). Every problem with a file is an `InputError` whose lines read
`file:row:column: what is wrong, what was expected`.
"""

from analysis.errors import InputError, InputNote, UncheckedWarning
from analysis.inputs.load import load, load_visits, protect_visits, read_table, validate
from analysis.inputs.problems import Problem
from analysis.inputs.read import file_problem
from analysis.inputs.schema import KINDS
from analysis.inputs.values import encode_values, parse_count, parse_date, parse_text

__all__ = [
    "KINDS",
    "InputError",
    "InputNote",
    "Problem",
    "UncheckedWarning",
    "encode_values",
    "file_problem",
    "load",
    "load_visits",
    "parse_count",
    "parse_date",
    "parse_text",
    "protect_visits",
    "read_table",
    "validate",
]
