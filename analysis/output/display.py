"""Values and tables as a reader sees them: the report's number formats, never a Python repr.

`cell(value, lang, kind)` writes one value; `formatted(frame, lang, kinds)` a
whole table, column by column. A column's kind is given (`"int"`, `"pct"`,
`"num2"`, `"date"`, `"text"`, ...) or inferred from its values: whole numbers
are shown whole, other numbers with the digits their size needs, dates
day-first in Vietnamese. Column names are the report owner's to translate;
this module only formats values. `head_and_tail` cuts a long table for display.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.qualified import Qualified
from analysis.text import i18n

if TYPE_CHECKING:
    import pandas as pd

# numpy and pandas are imported where a value or a frame of theirs is met: the index page
# writes key figures read from JSON (plain numbers and strings) without them.

# A cell with no value; "chưa có số liệu" is for sentences, a table cell stays short.
EMPTY = "—"
LONG_TABLE = 25  # a table longer than this shows its head and tail
HEAD_ROWS = 10
TAIL_ROWS = 5
KINDS = ("int", "num", "num0", "num1", "num2", "num3", "pct", "pct0", "pct1", "pct2", "date", "text")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):  # numpy's float64 too
        return math.isnan(value)
    if isinstance(value, int | str):
        return False
    import numpy as np
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, np.floating) and math.isnan(value)


def digits_for(value: float) -> int:
    """Decimals a measured number needs: three significant digits, never more than three."""
    size = abs(value)
    if size >= 100 or size == 0:
        return 0
    if size >= 10:
        return 1
    if size >= 1:
        return 2
    return 3


def cell(value: object, lang: str, kind: str | None = None) -> str:
    """One value in the report's language: 26.203, 0,853, 12,5%, 04/08/2023, or — when missing."""
    if missing(value):
        return EMPTY
    if isinstance(value, Qualified):
        return i18n.fmt_q(value, lang, 0 if kind in (None, "int") else digits_for(value.value))
    if kind == "text":
        whole = isinstance(value, numbers.Number) and float(value) == round(float(value))
        return str(int(value)) if whole else str(value)
    if isinstance(value, bool):
        return i18n.t("bool_yes" if value else "bool_no", lang)
    if not isinstance(value, int | float | str):  # perhaps one of numpy's or pandas' own values
        import numpy as np
        import pandas as pd

        if isinstance(value, np.bool_):
            return i18n.t("bool_yes" if value else "bool_no", lang)
        if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
            stamp = pd.Timestamp(value)
            return i18n.fmt_date(stamp.date(), lang)
    if isinstance(value, dt.date):
        return i18n.fmt_date(value, lang)
    if isinstance(value, str):
        if kind == "date" or ISO_DATE.match(value):
            return i18n.fmt_date(dt.date.fromisoformat(value), lang) if ISO_DATE.match(value) else value
        return value
    if isinstance(value, numbers.Number):
        number = float(value)
        if math.isinf(number):
            return EMPTY
        if kind and kind.startswith("pct"):
            return i18n.fmt_pct(number, lang, int(kind[3:]) if kind[3:] else 1)
        if kind == "int" or (kind is None and number == round(number)):
            return i18n.fmt_int(number, lang)
        if kind and kind.startswith("num") and kind[3:]:
            return i18n.fmt_num(number, lang, int(kind[3:]))
        return i18n.fmt_num(number, lang, digits_for(number))
    return str(value)


YEAR_WORDS = ("year", "năm")


def column_kind(series: pd.Series) -> str | None:
    """The kind a column's values share: 'int' for whole numbers, 'numN' for measured ones, else None.

    A column of whole numbers named as years (year, năm) is text: 2023, never 2.023.
    """
    import numpy as np
    import pandas as pd

    values = series.dropna()
    if values.empty or pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if not pd.api.types.is_numeric_dtype(series):
        return None
    numbers_ = values.astype(float)
    numbers_ = numbers_[np.isfinite(numbers_)]
    if numbers_.empty or (numbers_ == numbers_.round()).all():
        return "text" if any(w in str(series.name).lower() for w in YEAR_WORDS) else "int"
    digits = digits_for(float(numbers_.abs().median()))
    # 0.5, 0.75, 0.9 need two decimals, not three: the fewest that write every value exactly
    exact = next((d for d in range(digits)
                  if np.allclose(numbers_, numbers_.round(d), rtol=0, atol=1e-9)), digits)
    return f"num{exact}"


def formatted(frame: pd.DataFrame, lang: str, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """`frame` with every value written in `lang`; `kinds` names a column's kind where inference would miss it
    (a share is a 'pct', a count estimated from a model an 'int')."""
    kinds = dict(kinds or {})
    unknown = [k for k in kinds.values() if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown column kind(s) {unknown}; known: {', '.join(KINDS)}")
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for position, name in enumerate(frame.columns):
        series = frame.iloc[:, position]
        kind = kinds.get(name) or column_kind(series)
        out[position] = [cell(v, lang, kind) for v in series.tolist()]
    out.columns = frame.columns
    return out


def head_and_tail(frame: pd.DataFrame, head: int = HEAD_ROWS, tail: int = TAIL_ROWS) -> pd.DataFrame:
    """The first and last rows of a formatted table with a row of "…" between them."""
    import pandas as pd

    gap = pd.DataFrame([["…"] * frame.shape[1]], columns=frame.columns, index=["…"])
    return pd.concat([frame.iloc[:head], gap, frame.iloc[-tail:]])


def sheet_name(notebook: str, table: str) -> str:
    """The Excel sheet of summary.xlsx that holds a report's table (before de-duplication)."""
    return f"{notebook[:14]}-{table}"[:31]


# Parameters that are shares: written as percentages (show_rate 0.9 → 90%).
SHARE_PARAMETERS = ("rate", "share", "confidence")


def parameter_value(name: str, value: object, lang: str) -> str:
    """A notebook parameter as a reader reads it: no quotes, no None, a path as its file name."""
    if value is None:
        return i18n.t("param_default", lang)
    if name == "lang" and value in i18n.LANGS:
        return i18n.t("lang_" + str(value), lang)
    if isinstance(value, str) and i18n.has(f"paramvalue_{name}_{value}", lang):
        return i18n.t(f"paramvalue_{name}_{value}", lang)
    if isinstance(value, Mapping):
        if not value:
            return EMPTY
        return "; ".join(f"{k} = {parameter_value('', v, lang)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(parameter_value("", v, lang) for v in value) if value else EMPTY
    if isinstance(value, str) and (name.endswith("_path") or "/" in value or "\\" in value):
        return Path(value.replace("\\", "/")).name
    if isinstance(value, float) and not isinstance(value, bool):
        share = any(w in name for w in SHARE_PARAMETERS) and 0 <= value <= 1
        text = f"{value * 100 if share else value:.6f}".rstrip("0").rstrip(".")
        digits = len(text.partition(".")[2])
        return i18n.fmt_pct(value, lang, digits) if share else i18n.fmt_num(value, lang, digits)
    return cell(value, lang)
