"""grader.class_run.interrupt_held: a Ctrl-C that comes while nbgrader's API runs in the
parent (whose capture_log catches every exception) is raised once the block ends."""

import os
import signal

import pytest

from grader.class_run import interrupt_held


def test_a_ctrl_c_inside_the_block_is_raised_after_it():
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    finished = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupt_held():
                os.kill(os.getpid(), signal.SIGINT)
                try:  # as nbgrader's capture_log does: a bare except around the work
                    sum(range(10_000))
                except:  # noqa: E722
                    pass
                finished = True
        assert finished
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
