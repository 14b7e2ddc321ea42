"""The hidden tests that are not ``judge.compare`` check each answer against the judge's own
values, in the real sandbox, on adversarial programs: no answer is checked against another of
the student's answers (an update that changes nothing and a gradient of zeros agree with each
other), no hidden case is a visible example whose answer the sandbox's own files hold
(coursework/examples.txt), no held-out label can be looked up or smuggled past the judge, and
no check takes time that grows faster than the student's list."""

import json
import time

import numpy as np
import pytest

from backprop.datasets import load_seeds
from coursework import variants
from coursework.compare import difference
from coursework.wire import decode
from conftest import ROOT
from grader import assignments, sandbox
from grader.judge import Call
from test_judge import run

pytestmark = pytest.mark.skipif(sandbox.shutil.which("bwrap") is None, reason="needs bubblewrap")


def verdicts(assignment, replace, grade_ids=None):
    """{grade_id: (passed, message)} of the judge on the solution with ``replace`` ({grade_id: source})."""
    tests = assignments.TESTS[assignment]
    report = run(assignment, replace, {g: tests[g] for g in grade_ids or tests})
    assert report["status"] == "graded", report["reason"]
    return {g: (v["passed"], v["message"]) for g, v in report["tests"].items()}


def mistake(assignment, function, name):
    return next(m for m in assignments.MODULES[assignment].MISTAKES if m.function == function and m.name == name)


# (a) student compared with student: ch05's gradient check ------------------------------------------

CH05 = "ch05_update_rules"
STILL = "def update(network, outputs, errors, l):\n    return [(W.copy(), theta.copy()) for W, theta in network]\n"
ZEROS = ("def numerical_gradient(network, x, T, eps):\n"
         "    return [(np.zeros_like(W), np.zeros_like(theta)) for W, theta in network]\n")


def test_an_update_that_changes_nothing_and_a_gradient_of_zeros_fail():
    """The two agree with each other (the step is -l times that gradient), with nothing else:
    every test of update and of numerical_gradient fails, the gradient check with them; the
    functions built on update keep their marks (the judge lends its own update)."""
    found = verdicts(CH05, {"update": STILL, "numerical_gradient": ZEROS})
    failing = {g for g, (passed, _) in found.items() if not passed}
    assert failing == {"test_update_example", "test_update_hidden", "test_numerical_gradient_example",
                       "test_numerical_gradient_hidden", "test_gradient_check_of_update"}, found
    message = found["test_gradient_check_of_update"][1]
    assert "update is wrong, in the gradient check" in message, message
    assert "numerical_gradient is wrong, in the gradient check" in message, message


def test_the_solution_passes_the_gradient_check():
    assert verdicts(CH05, {}, ["test_gradient_check_of_update"]) == {"test_gradient_check_of_update": (True, "")}


def test_two_mistakes_that_agree_with_each_other_are_both_named():
    """An update that climbs the error and a gradient of the wrong sign are consistent: the
    gradient check names both."""
    climbs, flipped = mistake(CH05, "update", "increment subtracted"), mistake(CH05, "numerical_gradient",
                                                                                "sign flipped")
    (passed, message), = verdicts(CH05, {"update": climbs.example, "numerical_gradient": flipped.example},
                                  ["test_gradient_check_of_update"]).values()
    assert not passed
    assert climbs.message in message and flipped.message in message, message


@pytest.mark.parametrize("slip", [m for m in assignments.MODULES[CH05].MISTAKES
                                  if m.function in ("update", "numerical_gradient")], ids=lambda m: m.name)
def test_each_mistake_of_update_or_numerical_gradient_fails_the_gradient_check_by_name(slip):
    (passed, message), = verdicts(CH05, {slip.function: slip.example}, ["test_gradient_check_of_update"]).values()
    assert not passed
    assert slip.message in message, message
    other = "numerical_gradient" if slip.function == "update" else "update"
    assert f"{other} is wrong" not in message, message


# (b) held-out labels: ch08's held-out accuracy ------------------------------------------------------

CH08 = "ch08_putting_it_together"
HELD_OUT = ["test_held_out_accuracy"]
UNTRAINED = ("def fit(X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):\n"
             "    return network, {'train_error': [], 'val_error': [], 'l': [], 'best_epoch': 0,\n"
             "                     'stopped_by': 'max_epochs'}\n")


def lookup_predict():
    """A predict that finds the held-out tuples in the public data set, pasted into the notebook
    (the sandbox holds no data set), by undoing their min-max scaling column by column, and
    returns their labels: no network, no training."""
    data = load_seeds()
    return (f"RAW = np.array({data.X.tolist()!r})\nLABELS = np.array({data.y.tolist()!r})\n"
            "def _unscale(column, raw):\n"
            "    values = np.unique(raw)\n"
            "    for lo in values[:10]:\n"
            "        for hi in values[::-1][:10]:\n"
            "            near = np.abs((column * (hi - lo) + lo)[:, None] - raw[None, :]) <= 1e-9 * max(1.0, abs(hi))\n"
            "            if near.any(axis=1).all():\n"
            "                return near\n"
            "    return np.ones((len(column), len(raw)), bool)\n"
            "def predict(x, network):\n"
            "    x = np.atleast_2d(np.asarray(x, dtype=float))\n"
            "    rows = np.ones((len(x), len(RAW)), bool)\n"
            "    for c in range(RAW.shape[1]):\n"
            "        rows &= _unscale(x[:, c], RAW[:, c])\n"
            "    return LABELS[np.argmax(rows, axis=1)]\n")


# a fit that trains nothing and passes its data to predict in the place of a network: 1-nearest neighbour
MEMORY_FIT = ("def fit(X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):\n"
              "    return [np.r_[X, X_val], np.argmax(np.r_[T, T_val], axis=1)], {}\n")
MEMORY_PREDICT = ("def predict(x, network):\n    X, y = network\n"
                  "    return y[np.argmin(((x[:, None, :] - X[None]) ** 2).sum(-1), axis=1)]\n")
# the same in a network of the right shapes: the class centroids in W of the first layer
CENTROID_FIT = ("def fit(X, T, X_val, T_val, network, l0, batch_size, tau, patience, max_epochs):\n"
                "    W, y = np.zeros((7, 5)), np.argmax(T, axis=1)\n"
                "    for c in range(3):\n        W[:, c] = X[y == c].mean(axis=0)\n"
                "    return [(W, np.zeros(5)), (np.zeros((5, 3)), np.zeros(3))], {}\n")
CENTROID_PREDICT = ("def predict(x, network):\n    C = np.asarray(network[0][0])[:, :3].T\n"
                    "    return np.argmin(((x[:, None, :] - C[None]) ** 2).sum(-1), axis=1)\n")


def test_a_predict_that_looks_the_labels_up_fails():
    (passed, message), = verdicts(CH08, {"fit": UNTRAINED, "predict": lookup_predict()}, HELD_OUT).values()
    assert not passed
    assert message.startswith("predict is wrong, on the 60 held-out tuples, with the network your fit returned")


@pytest.mark.parametrize("fit, predict, said", [
    (MEMORY_FIT, MEMORY_PREDICT, "the network fit returned must have the layers of the network it was given"),
    (CENTROID_FIT, CENTROID_PREDICT, "predict is wrong, on the 60 held-out tuples"),
], ids=["data in the place of a network", "data in a network's weights"])
def test_a_fit_that_passes_data_to_its_predict_fails(fit, predict, said):
    """The judge classifies with the weights fit returned itself, and predict must agree with it."""
    (passed, message), = verdicts(CH08, {"fit": fit, "predict": predict}, HELD_OUT).values()
    assert not passed and said in message, message


def test_a_fit_that_does_not_train_fails_and_the_solution_passes():
    (passed, message), = verdicts(CH08, {"fit": UNTRAINED}, HELD_OUT).values()
    assert not passed and "held-out tuples correctly" in message, message
    assert verdicts(CH08, {}, HELD_OUT) == {"test_held_out_accuracy": (True, "")}


# (b) the sandbox's own files: no hidden case is a visible example ----------------------------------

def cases_of(test, assignment, seed):
    rng = np.random.default_rng(seed)
    if getattr(test, "per_variant", False):
        for name in variants.names(assignment):
            yield from test.cases(rng, variants.variant_named(assignment, name))
    else:
        yield from test.cases(rng)


def test_no_hidden_case_is_a_visible_example():
    """coursework/examples.txt, in every sandbox, holds each visible example with its answer: a
    hidden case equal to one could be answered by looking it up."""
    stored = json.loads((ROOT / "coursework" / "examples.txt").read_text())["examples"]
    found = []
    for assignment, tests in sorted(assignments.TESTS.items()):
        for grade_id, test in tests.items():
            if not hasattr(test, "cases"):
                continue
            seen = [(decode(e["args"]), decode(e["kwargs"])) for e in stored.get(test.function, [])]
            for seed in (0, 7):
                for case in cases_of(test, assignment, seed):
                    args, kwargs = (case.args, case.kwargs) if isinstance(case, Call) else (case, {})
                    if any(len(a) == len(args) and set(k) == set(kwargs) and difference(list(args), a, 0, 0) is None
                           and difference(kwargs, k, 0, 0) is None for a, k in seen):
                        found.append(f"{grade_id}: {args!r}"[:120])
    assert found == [], found


CH11 = "ch11_deep_networks"
# "scaled up below max_norm", with the answer of every visible example looked up in the sandbox's file
LOOKUP_CLIP = """from coursework.check import examples
from coursework.wire import decode
SEEN = [(decode(e["args"]), decode(e["expected"])) for e in examples()["examples"]["clip_by_norm"]]
def clip_by_norm(gradients, max_norm):
    for (seen, seen_max), expected in SEEN:
        if seen_max == max_norm and len(seen) == len(gradients) and all(
                np.shape(a) == np.shape(b) and np.array_equal(a, b) for a, b in zip(seen, gradients)):
            return expected
    norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in gradients))
    return [np.asarray(g) * (max_norm / norm) for g in gradients]
"""


def test_an_answer_looked_up_in_the_visible_examples_earns_nothing():
    slip = mistake(CH11, "clip_by_norm", "scaled up below max_norm")
    found = verdicts(CH11, {"clip_by_norm": LOOKUP_CLIP}, ["test_clip_by_norm_example", "test_clip_by_norm_hidden"])
    for grade_id, (passed, message) in found.items():
        assert not passed, grade_id
        assert slip.message in message, message


# (c) a check's time grows with the student's list no faster than the list ---------------------------

CH10 = "ch10_autograd"
LONG = 400_000  # a check quadratic in the list takes minutes on this many names


@pytest.mark.parametrize("answer, said", [
    (f"def topological_order(parents):\n    return [next(iter(parents))] * {LONG}\n", "more than once"),
    (f"def topological_order(parents):\n    return [f'n{{i}}' for i in range({LONG // 2})] * 2\n", "more than once"),
    (f"def topological_order(parents):\n    return list(parents) + [f'n{{i}}' for i in range({LONG})]\n",
     "not in the graph"),
], ids=["one name repeated", "many names twice", "many names not in the graph"])
def test_a_long_list_is_judged_in_linear_time(answer, said):
    started = time.monotonic()
    found = verdicts(CH10, {"topological_order": answer}, ["test_topological_order_hidden"])
    took = time.monotonic() - started
    (passed, message), = found.values()
    assert not passed and said in message, message
    assert len(message) < 2000, f"a message of {len(message)} characters"
    assert took < 30, f"the judge took {took:.0f} s on a list of {LONG} names"
