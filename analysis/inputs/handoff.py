"""A large visits file checked by `workbook run` and handed to its notebooks, so it is read once.

`workbook run` checks every input before any notebook executes (bad data: exit 2,
nothing run). For a visits file DuckDB reads, that check is the whole read: the
rules, the donors numbered, the visits sorted (`engine.compact_visits`, about 6 s
for 10 million visits), which the notebook's kernel then did once more. Now the
run has a private folder of its own in its reports folder (mode 0700, named in
`WORKBOOK_CHECKED_INPUTS`, removed when the run ends; one a killed run left is
removed by the next), the check keeps there the compact frame it made
(donor numbers, days, outcome, sex, birth year: no id, no pseudonym), and
`load_visits` in a kernel of that run takes the frame when the file is the one
checked: same path, size, modification time and inode, same column mapping.
Anywhere else (papermill used directly, a test, a folder that is not private to
this user) the file is read as before. The runner makes the folder
(`runner.checked_inputs_folder`): it does not import this layer, which imports pandas.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from analysis import config


def _folder() -> Path | None:
    """The run's folder, if this process has one and only this user can reach it."""
    name = os.environ.get(config.CHECKED_INPUTS_ENV)
    if not name:
        return None
    try:
        info = os.stat(name, follow_symlinks=False)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
    return Path(name) if private else None


def active() -> bool:
    """Whether this process runs within `workbook run` (a frame kept here reaches its kernels)."""
    return _folder() is not None


def _entry(path: Path, columns: Mapping[str, str] | None) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    try:
        info = Path(path).stat()
    except OSError:
        return None
    key = [str(Path(path).resolve()), info.st_size, info.st_mtime_ns, info.st_ino,
           sorted((str(k), str(v)) for k, v in dict(columns or {}).items())]
    return folder / (hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32] + ".arrow")


def keep(path: Path, columns: Mapping[str, str] | None, frame) -> None:
    """Keep a checked compact frame for the run's notebooks (nothing outside a run). Best
    effort: a frame that cannot be written (a full disk) is not kept, and the file is read again."""
    entry = _entry(path, columns)
    if entry is None or entry.exists():
        return
    partial = entry.with_name(f".{entry.stem}.{os.getpid()}")
    try:
        frame.to_feather(partial, compression="uncompressed")  # 10M visits: 140 MB, written in 0.15 s
        os.replace(partial, entry)
    except OSError:
        partial.unlink(missing_ok=True)


def take(path: Path, columns: Mapping[str, str] | None):
    """The compact frame the run's check made of this very file, or None (then it is read)."""
    entry = _entry(path, columns)
    if entry is None or not entry.is_file():
        return None
    import pyarrow as pa
    from pyarrow import feather

    try:
        return feather.read_table(entry, memory_map=True).to_pandas()  # 10M visits: 0.1 s
    except (OSError, pa.ArrowException):
        return None
