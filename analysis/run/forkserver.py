"""The fork server of warm kernels (see kernels.py): import once, fork a fresh kernel per request.

Run as `python -m analysis.run.forkserver FD PID STATEMENT...`: FD a listening
Unix socket made by `kernels.ForkServer`, PID the process that started it, each
STATEMENT an import statement to run before serving. It ends when
`ForkServer.stop` terminates it (SIGTERM), or within a second of its parent's
end (removing its folder); its kernels end with it.

What a forked kernel shares with the server, and how it is kept faithful to a
plain one (tests/e2e/test_kernels.py compares the two): the environment must equal
the server's, or the request is refused, since modules read it when imported;
variables the imports set are set again in the kernel; the warning filters they
add stay; sys.path, argv, working folder, session and signal handlers are those
of `python -m ipykernel_launcher`; numpy's global random state is reseeded.
What an import prints or warns goes nowhere (a plain kernel would show it in its
first cell's output).

Only the standard library at module level: the server starts before it imports.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

LAUNCHER = ["-m", "ipykernel_launcher"]
# What every kernel imports before it runs a cell, imported once by the server instead.
KERNEL_MODULES = ["import ipykernel.kernelapp", "import ipykernel.ipkernel", "import ipykernel.debugger"]
# Set per kernel by jupyter_client, or per test by pytest; no import reads them, and the
# kernel is given the request's own environment anyway.
_IGNORED_ENV = ("JPY_", "PYTEST_CURRENT_TEST")


def statements(tree: ast.AST, nested_only: bool = False) -> list[str]:
    """Absolute import statements of a parsed source (only those inside functions if nested_only)."""
    roots = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    found = []
    for root in roots if nested_only else [tree]:
        for node in ast.walk(root):
            if isinstance(node, ast.Import) or (
                isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__"
            ):
                found.append(ast.unparse(node))
    return found


def _package_deferred_imports() -> list[str]:
    """Imports the loaded modules of this package make inside functions (lifelines, STL, ...)."""
    found: list[str] = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (name == "analysis" or name.startswith("analysis.")) and path and path.endswith(".py"):
            with contextlib.suppress(OSError, SyntaxError, ValueError):
                found += statements(ast.parse(Path(path).read_text("utf-8")), nested_only=True)
    return list(dict.fromkeys(found))


def _kernel_path() -> None:
    """sys.path as `python -m ipykernel_launcher` and IPython leave it: no script folder, '' added."""
    from IPython.core.shellapp import InteractiveShellApp

    if sys.path and sys.path[0] and Path(sys.path[0]) == Path.cwd():
        del sys.path[0]  # what `-m` added; ipykernel_launcher removes it too
    InteractiveShellApp.init_path(type("Shell", (), {"ignore_cwd": False})())


@contextlib.contextmanager
def _quiet():
    """Nothing the imports print or warn reaches the terminal (a kernel would show it in its notebook).

    The warning filters the imported modules add stay, as they would in a kernel
    that imported them; only the blanket "ignore" put first for the imports goes.
    """
    import warnings

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    warnings.simplefilter("ignore")
    mine = warnings.filters[0]
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)
        warnings.filters[:] = [f for f in warnings.filters if f is not mine]
        warnings._filters_mutated()


def _preload(statements: list[str]) -> dict:
    """Run the import statements, then the package's deferred imports they made reachable.

    Returns the environment variables the imports set, for every kernel to have.
    """
    before = dict(os.environ)

    def run(batch: list[str]) -> None:
        for statement in batch:
            with contextlib.suppress(Exception):  # the notebook will meet the error itself
                exec(compile(statement, "<preload>", "exec"), {})

    with _quiet():
        run(statements)
        run(_package_deferred_imports())
    return {k: v for k, v in os.environ.items() if before.get(k) != v}


def _comparable_env(env: dict) -> dict:
    return {k: v for k, v in env.items() if not k.startswith(_IGNORED_ENV) and k != "PYTHONEXECUTABLE"}


def _refusal(request: dict, env: dict, imports_set: dict, cwd: str) -> str | None:
    """Why the kernel asked for would not be what `python -m ipykernel_launcher` starts (None: it would).

    `env` is the server's environment before its imports, `imports_set` what they
    set: a kernel may have those already (its parent made the same imports).
    """
    argv = request.get("argv") or []
    # The same path, not the same binary: a virtual environment's python links to the system's.
    if len(argv) < 3 or argv[1:3] != LAUNCHER or os.path.abspath(argv[0]) != os.path.abspath(sys.executable):
        return "the kernel is not this interpreter's ipykernel"
    if os.path.realpath(request.get("cwd") or "") != os.path.realpath(cwd):
        return "the kernel's working folder differs from the server's"
    wanted = _comparable_env(request.get("env") or {})
    differ = sorted(
        k for k in wanted.keys() | env.keys()
        if wanted.get(k) != env.get(k) and not (k in imports_set and wanted.get(k) == imports_set[k])
    )
    if differ:
        return "the kernel's environment differs from the server's: " + ", ".join(differ[:5])
    return None


def _become_kernel(request: dict, server: socket.socket, conn: socket.socket) -> None:
    """In the forked child: shed the server, become `python -m ipykernel_launcher ARGS`.

    Never returns: it ends in SystemExit, which unwinds through the server's loop
    (nothing there acts on it) to the interpreter's normal end, as a plain
    kernel's does (atexit, files a notebook left open flushed, threads joined).
    """
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()  # its own session and process group, as jupyter_client gives every kernel
        server.close()
        conn.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.update(request["imports_set"])  # as the imports would have, in the kernel
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel ends when the server does
        sys.argv = [request["launcher"], *request["argv"][3:]]
        if "numpy.random" in sys.modules:  # a fresh process draws its own seed; a fork shares the server's
            sys.modules["numpy.random"].seed()
        from ipykernel import kernelapp

        # ipykernel reads JPY_PARENT_PID when imported (in the server, where it is unset): say it here.
        app = kernelapp.IPKernelApp.instance(parent_handle=os.getppid())
        app.initialize()
        app.start()  # as kernelapp.launch_new_instance; returns once a shutdown request has been handled
        _settle(app)
    except SystemExit:
        raise
    except BaseException as exc:  # anything: the child must not return into the server
        import traceback

        traceback.print_exc()
        raise SystemExit(1) from exc
    raise SystemExit(0)


def _settle(app) -> None:
    """Let the kernel's channel threads finish their last message while IOPub still runs.

    ipykernel's own close (at exit) stops the IOPub thread first, then joins the
    control thread; a control thread still flushing its shutdown reply at that
    moment waits 10 s for an IOPub that is gone, the kernel overstays its
    shutdown and is ended by a signal, without its interpreter's normal exit
    (files a notebook left open unflushed). A race of ipykernel 7 in any kernel
    (reported upstream as positron#7142); forked kernels met it about one in
    fifteen on two busy cores. Stopped here, in order, the threads are already
    gone when close runs, and close skips them.
    """
    for thread in (getattr(app, "control_thread", None), getattr(app, "shell_channel_thread", None)):
        if thread is not None and thread.is_alive():
            thread.stop()
            thread.join(timeout=30)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _read_request(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n") and (chunk := conn.recv(65536)):
        data += chunk
    return json.loads(data or b"{}")


def _serve_one(server: socket.socket, conn: socket.socket, env: dict, cwd: str, known: dict) -> None:
    with conn:
        conn.settimeout(10)
        request = _read_request(conn)
        refusal = _refusal(request, env, known["imports_set"], cwd)
        if refusal:
            conn.sendall(json.dumps({"error": refusal}).encode())
            return
        request.update(known)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, server, conn)
        pidfd = os.pidfd_open(pid)
        try:
            socket.send_fds(conn, [json.dumps({"pid": pid}).encode()], [pidfd])
        finally:
            os.close(pidfd)


def serve(fd: int, parent: int, statements: list[str]) -> None:
    """The fork server's loop: import once, then fork a kernel for each request, while `parent` lives."""
    import gc
    import importlib.util

    server = socket.socket(fileno=fd)
    env, cwd = _comparable_env(dict(os.environ)), os.getcwd()
    launcher = importlib.util.find_spec("ipykernel_launcher").origin
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    _kernel_path()
    imports_set = _preload([*KERNEL_MODULES, *statements])
    gc.collect()
    gc.freeze()  # the imported modules stay shared between the kernels instead of copied
    server.settimeout(1.0)
    signal.signal(signal.SIGTERM, _stop)
    # A forked kernel comes back up through here only as SystemExit, on its way out.
    try:
        while os.getppid() == parent:
            _reap()
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with contextlib.suppress(Exception):
                _serve_one(server, conn, env, cwd, {"launcher": launcher, "imports_set": imports_set})
        # The runner ended without stopping us (killed): tidy up; the kernels end with us.
        import shutil

        shutil.rmtree(os.path.dirname(server.getsockname()), ignore_errors=True)
    except _Stopped:
        pass
    finally:
        _reap()  # the kernels that have ended are counted as ours (their CPU time too)


class _Stopped(BaseException):
    pass


def _stop(signum, frame):
    raise _Stopped


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
