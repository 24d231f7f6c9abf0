"""One `python -m analysis ARGS` in a child process under an address-space cap (the hostile-file tests).

The child is forked from multiprocessing's fork server, which imported the command's
modules once (`test_hostile_files.guarded`); this module is imported in each child,
so it holds only the standard library.
"""

from __future__ import annotations

import os
import resource
import runpy
import sys


def run(memory: int, report: str, args: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """Cap the address space at `memory` bytes, send stdout and stderr to the files `out` and `err`,
    run `python -m analysis ARGS` in `cwd` with `env`, and write to `report`, on the way out, the
    peak memory (VmHWM, kB) and the CPU seconds of this process and its children."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["analysis", *args]
    try:
        runpy.run_module("analysis", run_name="__main__", alter_sys=True)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        times = os.times()
        with open("/proc/self/status") as status, open(report, "w") as written:
            peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
            written.write(f"{peak} {times.user + times.system + times.children_user + times.children_system}")
