"""The runner's kernel client (analysis/run/kernels.py): ready as soon as its kernel answers.

It stands in for jupyter_client's `wait_for_ready` less the final wait for 0.2 s of
silence on IOPub, so these check the rest is kept: it waits for the kernel_info reply
and for IOPub to be connected, asks again until then, drops what IOPub holds (without
waiting for more), and says so when the kernel dies or does not answer in time.
"""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from analysis.run import kernels


class Channel:
    """A channel that gives its messages in turn, then is empty; says how it was asked."""

    def __init__(self, *messages):
        self.messages, self.timeouts = list(messages), []

    async def get_msg(self, timeout=None):
        self.timeouts.append(timeout)
        if not self.messages:
            raise Empty
        message = self.messages.pop(0)
        if message is None:
            raise Empty
        return message


def client(shell, iopub, alive=True):
    ready = kernels.manager_class(warm=True)(kernel_name="python3").client()
    ready._shell_channel, ready._iopub_channel = shell, iopub
    ready.asked = 0

    def kernel_info():
        ready.asked += 1

    async def is_alive():
        return alive

    ready.kernel_info, ready._async_is_alive = kernel_info, is_alive
    ready._handle_kernel_info_reply = lambda msg: setattr(ready, "handled", msg)
    return ready


REPLY = {"msg_type": "kernel_info_reply", "content": {}}
STATUS = {"msg_type": "status", "content": {"execution_state": "idle"}}


def test_ready_once_the_kernel_answered_and_iopub_is_connected():
    iopub = Channel(None, STATUS, STATUS, STATUS)  # not connected at the first reply
    ready = client(Channel(REPLY, REPLY), iopub)
    asyncio.run(ready.wait_for_ready(timeout=5))
    assert ready.asked == 2 and ready.handled is REPLY
    assert iopub.messages == [] and iopub.timeouts[-1] == 0  # drained without waiting for silence


def test_a_kernel_that_died_is_an_error():
    ready = client(Channel(None), Channel(), alive=False)
    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(ready.wait_for_ready(timeout=5))


def test_a_kernel_that_does_not_answer_in_time_is_an_error():
    ready = client(Channel(None, None, None), Channel())
    with pytest.raises(RuntimeError, match="respond"):
        asyncio.run(ready.wait_for_ready(timeout=0))
