"""What the judge keeps, computes and shows is bounded by the case, not by
the student (issue 24): decoding a reply has a cap on its values and type
names; a lent call takes only the dimensions the case implies; outputs,
tracebacks and messages are cut on the trusted side whatever the worker
sent; a worker that stops reading holds the judge no longer than the call's
time limit. The class-level checks (through `make grade`) are in
tests/integration/test_grade_class.py."""

import sys
import textwrap
import time

import numpy as np
import pytest

from coursework import wire
from coursework.compare import KEYS_SHOWN, difference
from grader import judge, sandbox
from grader.worker import MAX_LINE, MAX_NOTEBOOK_OUTPUT, MAX_OUTPUT
from test_judge import argv

needs_bwrap = pytest.mark.skipif(sandbox.shutil.which("bwrap") is None, reason="needs bubblewrap")


def test_many_foreign_type_names_are_one_type_and_capped():
    values = [wire.encode(type(f"T{i}", (), {})()) for i in range(wire.MAX_NAMES)]
    decoded = wire.decode({"list": values})
    assert {type(v) for v in decoded} == {wire.Foreign} and repr(decoded[5]) == "a T5"
    with pytest.raises(wire.WireError, match="type names"):
        wire.decode({"list": values + [{"other": "one_more"}]})


def test_a_reply_of_too_many_values_is_refused(monkeypatch):
    monkeypatch.setattr(wire, "MAX_VALUES", 1000)
    with pytest.raises(wire.WireError, match="values"):
        wire.decode({"list": [{"list": [0] * 500}, {"list": [0] * 499}]})
    assert len(wire.decode({"list": [0] * 998})) == 998


def test_a_dict_with_many_keys_is_described_in_a_few():
    problem = difference({f"k{i}": i for i in range(60_000)}, {"a": 1.0, "b": 2.0})
    assert len(problem) < 1000 and f"and {60_000 - KEYS_SHOWN} more" in problem


# A worker that answers as the protocol says, but with what a student who rewrote the
# worker's own code could send: outputs, tracebacks and messages of any size, or a
# request for a lent function whose reply it never reads.
FAKE_WORKER = textwrap.dedent('''
    import sys
    sys.path[:0] = [sys.argv[1]]
    from coursework.wire import read_message, write_message
    incoming, outgoing = sys.stdin.buffer, sys.stdout.buffer
    read_message(incoming)
    huge = "x" * 100_000  # 20 cells of these: 8 MB, under the judge's cap on a reply
    write_message(outgoing, {"ran": [{"stdout": huge, "stderr": huge, "result": huge,
                                      "error": ["E" * 10_000, huge, ["l" * 5000] * 300 + [huge]]}]
                             + [{"stdout": huge, "stderr": huge, "result": huge, "error": None}] * 19})
    while True:
        request = read_message(incoming)
        if request["call"] == "stops_reading":
            write_message(outgoing, {"given": "net_input", "args": request["args"], "kwargs": request["kwargs"]})
            import os, time
            time.sleep(0.3)
            os.read(0, 5000)  # room for part of the judge's next write, not all of it
            time.sleep(60)
        write_message(outgoing, {"raised": ["ValueError", huge]})
''')


@pytest.fixture
def fake(tmp_path):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    student = judge.Student([(f"cell {i}", "") for i in range(20)],
                            [sys.executable, str(script), str(sandbox.Path(wire.__file__).parents[1])],
                            call_timeout=1)
    assert student.start() is None
    yield student
    student.close()


def test_outputs_are_cut_by_the_judge_whatever_the_worker_sent(fake):
    total = 0
    for output in fake.outputs:
        for key in ("stdout", "stderr", "result"):
            assert len(output[key] or "") <= MAX_OUTPUT + 100
            total += len(output[key] or "")
        if output["error"]:
            name, message, lines = output["error"]
            assert len(name) <= 200 and len(message) <= 2000
            assert all(len(line) <= MAX_LINE + 4 for line in lines) and sum(map(len, lines)) <= MAX_OUTPUT
            total += sum(map(len, lines))
    assert fake.outputs[0]["error"] and total <= MAX_NOTEBOOK_OUTPUT + 2000


def test_a_raised_message_is_cut_and_so_is_every_verdict(fake):
    outcome = fake.call("anything", ())
    assert outcome.raised.startswith("ValueError: x") and len(outcome.raised) <= judge.MAX_RAISED + 20

    def test(student, rng):
        raise judge.Failed("y" * 1_000_000)
    report = judge.judge([("cell", "")], {"t": test}, lambda grade_id: 0)
    assert len(report["tests"]["t"]["message"]) <= judge.MAX_VERDICT + 100


def test_a_worker_that_stops_reading_holds_the_judge_no_longer_than_the_call(fake):
    # the lent net_input's reply is larger than a pipe holds: the judge's write would block
    args = (np.ones((120, 120)), np.ones((120, 120)), np.ones(120))  # a reply of 150 kB; a pipe holds 64 kB
    started = time.monotonic()
    outcome = fake.call("stops_reading", args, given=("net_input",))
    assert time.monotonic() - started < 5
    assert "time limit" in (outcome.problem or ""), outcome


BIG_LENT = """import numpy as np
def backward(outputs, T, network):
    O = np.ones((1, 5000))
    return [hidden_error(O, np.ones((1, 1)), np.ones((5000, 1)))]
"""


@needs_bwrap
def test_a_lent_call_takes_only_the_dimensions_the_case_implies():
    rng = np.random.default_rng(2)
    network = sandbox.backprop.network.init_network([2, 3, 1], rng)
    outputs = sandbox.backprop.network.forward(np.array([0.5, -1.0]), network)
    student = judge.Student([("answer", BIG_LENT)], argv("ch04_hidden_error"), call_timeout=20)
    try:
        assert student.start() is None
        outcome = student.call("backward", (outputs, np.array([1.0]), network), given=("hidden_error",))
    finally:
        student.close()
    assert "larger than any of the case's arguments" in (outcome.raised or ""), outcome
