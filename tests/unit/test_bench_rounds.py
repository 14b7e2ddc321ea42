"""The benchmarks' timing method (benchmarks/rounds.py): contenders run in turn,
and ratios are taken within a round, never across blocks."""

import sys

import numpy  # noqa: F401  (loads the BLAS whose thread pool is described)
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import rounds  # noqa: E402


def test_contenders_take_turns_after_one_untimed_call_each():
    calls = []
    contenders = {name: (lambda name=name: calls.append(name)) for name in "ABC"}
    times = rounds.interleaved(contenders, 3, before=lambda name: calls.append(f"fresh {name}"))
    assert calls == ["fresh A", "A", "fresh B", "B", "fresh C", "C"] * 4
    assert {name: len(ts) for name, ts in times.items()} == {"A": 3, "B": 3, "C": 3}
    calls.clear()
    rounds.interleaved(contenders, 2, warm_up=False)
    assert calls == ["A", "B", "C"] * 2


def test_ratios_are_taken_within_each_round():
    # a load that triples round 2 for both: the ratio of each round is still 2
    a, b = [2.0, 6.0, 2.2], [1.0, 3.0, 1.0]
    assert rounds.ratio(a, b) == {"min": 2.0, "median": 2.0, "max": 2.2}
    with pytest.raises(ValueError):
        rounds.ratio([1.0, 2.0], [1.0])


def test_a_shared_slowdown_leaves_the_ratio_alone():
    """The point of the method: a load that comes and goes changes the times, not the ratios."""
    slow = iter([1, 1, 5, 5, 1, 1])  # the machine is five times slower during round 2, for both
    clock = {"t": 0.0}

    def costing(seconds):
        return lambda: clock.__setitem__("t", clock["t"] + seconds * next(slow))

    original = rounds.time.perf_counter
    rounds.time.perf_counter = lambda: clock["t"]
    try:
        times = rounds.interleaved({"A": costing(2.0), "B": costing(1.0)}, 3, warm_up=False)
    finally:
        rounds.time.perf_counter = original
    assert times == {"A": [2.0, 10.0, 2.0], "B": [1.0, 5.0, 1.0]}
    assert rounds.ratio(times["A"], times["B"]) == {"min": 2.0, "median": 2.0, "max": 2.0}


def test_the_machine_is_described():
    context = rounds.machine(("numpy", "no-such-package"))
    assert context["cores"] >= 1 and "numpy" in context["versions"] and "no-such-package" not in context["versions"]
    assert any(p["library"] for p in rounds.thread_pools())  # numpy's BLAS at least
    with rounds.threads(1):
        assert all(p["threads"] == 1 for p in rounds.thread_pools())
        assert rounds.describe_pools(1).startswith("threads: 1:")
