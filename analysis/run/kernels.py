"""Warm kernels: the heavy imports of a batch are paid once, every notebook still gets a fresh kernel.

A batch of notebooks spends most of each notebook's time starting a kernel and
importing pandas, matplotlib, seaborn, scipy and the package. Here one process,
the *fork server*, imports those modules once (the import lines of the batch's
notebooks, the package's own deferred imports, and ipykernel), then for each
notebook forks a child that becomes a fresh ipykernel: a new process, with a new
namespace, copied from a server that never ran any notebook code. Whatever a
notebook changes (globals, module attributes, environment variables, matplotlib
settings) dies with its kernel; the next kernel is forked from the same
untouched server.

papermill and nbclient talk to such a kernel as to any other, through
`WarmKernelManager` (pass it as `kernel_manager_class`): it asks the server for
the kernel instead of starting `python -m ipykernel_launcher`, and gets back its
pid and a pidfd to watch and signal it. It starts a plain kernel instead when
the server is not there, refuses the request (another interpreter or kernel,
another working folder, a different environment than the one the server imported
under) or does not answer; `last_launch()` says which kind the last notebook got.

Forking needs Linux (fork, pidfd). Elsewhere, or with WORKBOOK_WARM_KERNELS=0,
`unavailable()` gives the reason and callers start plain kernels. papermill used
directly knows nothing of this and starts its own kernels as always.

The server itself is analysis/run/forkserver.py.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import select
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from analysis.run import forkserver

SWITCH = "WORKBOOK_WARM_KERNELS"
REQUEST_TIMEOUT = 120.0  # the first request waits for the server's imports


def unavailable() -> str | None:
    """Why kernels cannot be forked here (None: they can)."""
    if os.environ.get(SWITCH, "").strip().lower() in {"0", "no", "false", "off"}:
        return f"{SWITCH}={os.environ[SWITCH]}"
    if sys.platform != "linux" or not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        return "forking kernels needs Linux"
    return None


# what to import once ------------------------------------------------------------
def notebook_imports(paths: Iterable[str | Path]) -> list[str]:
    """The import statements of these notebooks' code cells, each once, in order of appearance."""
    found: list[str] = []
    for path in paths:
        with contextlib.suppress(OSError, ValueError, KeyError):
            cells = json.loads(Path(path).read_text("utf-8"))["cells"]
            for cell in cells:
                if cell.get("cell_type") != "code":
                    continue
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                # IPython magics and shell escapes are no Python; such a cell is skipped.
                with contextlib.suppress(SyntaxError):
                    found += forkserver.statements(ast.parse(source))
    return list(dict.fromkeys(found))


class ForkServer:
    """The fork server as seen from the runner: start it, hand its address to workers, stop it."""

    def __init__(self, statements: list[str], cwd: str | Path, env: dict | None = None):
        self.folder = tempfile.mkdtemp(prefix="workbook-kernels-")
        self.address = os.path.join(self.folder, "server")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.address)
            listener.listen(64)
            import subprocess

            self.process = subprocess.Popen(
                [sys.executable, "-m", "analysis.run.forkserver", str(listener.fileno()), str(os.getpid()),
                 *statements],
                cwd=str(cwd),
                env=env,
                stdin=subprocess.DEVNULL,
                pass_fds=[listener.fileno()],
                # Out of the runner's process group: a signal to the group (Ctrl-C, kill) is the
                # runner's to handle; the server outlives a killed runner by a second to tidy up.
                start_new_session=True,
            )
        except BaseException:
            self.stop()
            raise
        finally:
            # Only the server may hold the listener: once it is gone, connecting fails at once.
            listener.close()

    def stop(self) -> None:
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except Exception:
                process.kill()
                process.wait()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# the client side (in a worker) ------------------------------------------------------
_address: str | None = None
_last = {"kind": "plain"}


def use(address: str | None) -> None:
    """Let WarmKernelManager fork its kernels from the server at `address` (None: start plain ones)."""
    global _address
    _address = address


def last_launch() -> str:
    """How the last kernel this process asked for started: "warm", or "plain (why)"."""
    return _last["kind"]


class KernelForkError(RuntimeError):
    pass


def fork_kernel(argv: list[str], env: dict, cwd: str, address: str | None = None) -> ForkedKernel:
    """Ask the server for a kernel running `argv`; raises KernelForkError with the reason if it cannot."""
    address = address or _address
    if not address:
        raise KernelForkError("no fork server")
    request = json.dumps({"argv": list(argv), "env": dict(env), "cwd": cwd}).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(REQUEST_TIMEOUT)
            conn.connect(address)
            conn.sendall(request)
            data, fds, _, _ = socket.recv_fds(conn, 65536, 1)
            while chunk := conn.recv(65536):
                data += chunk
    except OSError as exc:
        raise KernelForkError(f"the fork server did not answer ({type(exc).__name__})") from exc
    try:
        reply = json.loads(data or b"{}")
        if "pid" not in reply or not fds:
            raise KernelForkError(f"the fork server refused: {reply.get('error', 'no answer')}")
        return ForkedKernel(reply["pid"], fds.pop(0))
    finally:
        for fd in fds:
            os.close(fd)


class ForkedKernel:
    """A forked kernel process, with the part of subprocess.Popen that jupyter_client uses.

    The kernel is the server's child, not ours: it is watched and signalled through
    its pidfd, which cannot point at another process once it has ended. Its exit
    status is the server's to collect, so `returncode` is 0 once it has ended.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int):
        self.pid, self._pidfd, self.returncode = pid, pidfd, None

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            if select.select([self._pidfd], [], [], 0)[0]:
                self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._pidfd is not None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                import subprocess

                raise subprocess.TimeoutExpired(["kernel"], timeout)
            self._ended()
        return self.returncode if self.returncode is not None else 0

    def _ended(self) -> None:
        os.close(self._pidfd)
        self._pidfd, self.returncode = None, 0

    def send_signal(self, signum: int) -> None:
        """To the kernel's process group (the kernel and what it started), while the kernel lives."""
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)
        except OSError:  # not yet its own group leader: the kernel alone
            signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        if getattr(self, "_pidfd", None) is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)


def _manager_classes():
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Float, default

    class ReadyClient(AsyncKernelClient):
        """jupyter_client's client, ready as soon as its kernel answers.

        jupyter_client's `wait_for_ready` ends by reading IOPub until it has been silent
        for 0.2 s, to drop the kernel's start-up messages: 0.2 s a notebook. nbclient
        (and so papermill) reads only the messages of the cell it runs, by their parent's
        id, so here the messages already there are dropped and no silence is waited for.
        The rest is jupyter_client's: a kernel_info reply, then a message on IOPub to show
        that it is connected, the kernel's death or the timeout an error.
        """

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            from queue import Empty

            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            while True:  # what IOPub holds now, without waiting for more
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

    class WarmProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernel process comes from the fork server when it can."""

        async def launch_kernel(self, cmd, **kwargs):
            cwd = kwargs.get("cwd") or os.getcwd()
            try:
                process = fork_kernel(cmd, kwargs.get("env") or os.environ, str(cwd))
            except KernelForkError as exc:
                _last["kind"] = f"plain ({exc})"
                return await super().launch_kernel(cmd, **kwargs)
            _last["kind"] = "warm"
            # pgid stays None: LocalProvisioner then signals through process.send_signal.
            self.process, self.pid, self.pgid, self.cwd = process, process.pid, None, cwd
            return self.connection_info

    class PlainKernelManager(AsyncKernelManager):
        """jupyter_client's own manager and kernel, with more patience at shutdown.

        A kernel asked to shut down gets SIGTERM after half of `shutdown_wait_time`, and
        SIGTERM ends it without its interpreter's normal exit (atexit, files flushed). On
        two busy cores that exit can take longer than jupyter_client's 2.5 s; a kernel that
        ends at once is not slowed by the longer wait.
        """

        shutdown_wait_time = Float(20.0, config=True)

        @default("client_factory")
        def _ready_client(self):
            return ReadyClient

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            """Polled every 10 ms, not 100 ms, for the end of a kernel asked to shut down."""
            await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    class WarmKernelManager(PlainKernelManager):
        """An AsyncKernelManager whose kernels are forked from the warm server (see the module)."""

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                import uuid

                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = WarmProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
                _local_sockets(self)
            return await super()._async_pre_start_kernel(**kw)

    return WarmKernelManager, PlainKernelManager


def _local_sockets(km) -> None:
    """Connect through Unix sockets in the server's folder rather than TCP ports on localhost.

    A TCP port is chosen free by the manager and bound by the kernel a moment
    later; another process on the machine can take it in between ("Address
    already in use", the kernel dies). A socket file in a private folder cannot
    be taken. Kept to TCP when the folder's path is too long for a socket address.
    """
    folder = os.path.dirname(_address or "")
    base = os.path.join(folder, f"kernel-{km.kernel_id[:12]}")
    if not folder or len(base) > 90:  # Unix socket paths end at 107 bytes; "-N" is appended
        return
    km.transport, km.cache_ports, km.ip = "ipc", False, base
    km.connection_file = base + ".json"


_classes: dict = {}


def manager_class(warm: bool = True):
    """WarmKernelManager (or, with warm=False, a plain kernel's manager with the same wait at
    shutdown), for papermill's / nbclient's `kernel_manager_class`."""
    if "managers" not in _classes:
        _classes["managers"] = _manager_classes()
    return _classes["managers"][0 if warm else 1]


