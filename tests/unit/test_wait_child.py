"""grader.autograde.wait_child: how make grade's staging child and a Dask worker's warm
grading process keep the notebook's time limit, and how the warm process takes its child
with it when the worker goes away (its requests, watched, close)."""

import os
import time

import pytest

from grader.autograde import wait_child


def sleeping_child(seconds, code=0):
    pid = os.fork()
    if pid == 0:
        os.setsid()  # as a grading child does
        time.sleep(seconds)
        os._exit(code)
    return pid


def test_a_child_that_ends_gives_its_exit_code():
    reading, writing = os.pipe()
    with os.fdopen(reading, "rb") as requests:
        assert wait_child(sleeping_child(0.05, code=2), 30, [requests]) == 2
    os.close(writing)


def test_a_child_past_the_time_limit_is_killed_and_reported_none():
    reading, writing = os.pipe()
    pid = sleeping_child(60)
    started = time.monotonic()
    with os.fdopen(reading, "rb") as requests:
        assert wait_child(pid, 0.3, [requests]) is None
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(pid, 0)
    os.close(writing)


def test_the_worker_going_away_ends_the_server_and_its_child():
    pid = sleeping_child(60)
    reading, writing = os.pipe()  # (after the fork: the child holds no end of it)
    os.close(writing)  # the worker's end of the requests
    with os.fdopen(reading, "rb") as requests, pytest.raises(EOFError):
        wait_child(pid, 60, [requests])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
