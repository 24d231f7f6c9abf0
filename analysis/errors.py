"""Every error and note the workbook raises about a user's files or parameters.

One family, as `pandas.errors` is one: the CLI and the runner catch
`WorkbookError` and nothing broader, so a bug in the workbook still shows as
a traceback while a problem with the user's input is one clear line each.
"""

from __future__ import annotations

MAX_PROBLEMS = 20  # lines an error lists before it says how many more there are


class WorkbookError(Exception):
    """A problem with the user's input or parameters: its message is meant for the user."""


class InputError(WorkbookError):
    """Bad input: every problem found, one line each (the first `limit` of them).

    A problem is anything whose text is one `file:row:column: message` line.
    """

    def __init__(self, problems: list, limit: int = MAX_PROBLEMS):
        self.problems = problems
        lines = [str(p) for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"... and {len(problems) - limit} more problems")
        super().__init__("\n".join(lines))


class LimitError(InputError):
    """An input file past one of the workbook's bounds (see analysis.inputs.limits).

    `key` names the bound; the message names it and the setting that raises it.
    """

    def __init__(self, problems: list, key: str):
        self.key = key
        super().__init__(problems)


class SettingError(WorkbookError, ValueError):
    """A setting (an environment variable such as WORKBOOK_MAX_ROWS) that is not valid."""


class ParamsError(WorkbookError):
    """Invalid parameters or inputs of a run: every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class UnknownCampaign(WorkbookError, LookupError):
    """A campaign id that the campaigns table does not hold."""


class PseudonymKeyError(WorkbookError, ValueError):
    """The pseudonym key is missing, too short, or stored where it must not be."""


class DataError(WorkbookError, ValueError):
    """Checked input that a computation still cannot use (no visits, an unknown region...)."""


class ProgressError(DataError):
    """A session sheet that a progress report cannot use; the message is one line."""


class InputNote(UserWarning):
    """Something a user should know about a file that loaded (shown by `workbook check`)."""


class UncheckedWarning(InputNote):
    """A rule that could not be applied (e.g. a campaign without published dates)."""
