"""The trusted side of grading: the judge.

The judge starts a submission's code in a confined worker (``worker.py``,
in the sandbox of ``sandbox.py``), sends it inputs, and compares what comes
back with the reference implementation (``backprop.network``), which runs
here, in the judge's process. The reference, the hidden cases (drawn here
from the course secret), the expected values, the tolerances and the
mistake catalogue never cross to the student's side: the worker gets only
the inputs of the call it is asked to make. What the worker sends back is
decoded into exact built-in types and plain numeric arrays before anything
looks at it (``worker.decode``), so no object of the student's is ever
called or compared by its own methods.

A test is a function ``test(student, rng)`` that raises ``Failed`` with the
message for the student, or returns; ``compare`` makes the usual one. The
tests of each assignment are filed by chapter in ``cases/``.
"""

import copy
import functools
import hmac
import inspect
import json
import os
import re
import secrets
import select
import subprocess
import time
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np

from backprop import network as reference
from coursework import variants
from coursework.compare import describe_args, difference, wrong
from coursework.wire import MAX_REPLY, WireError, decode, encode

from . import sandbox
from .schema import Named, Report, Verdict
from .worker import MAX_OUTPUT, TRUNCATED, cut_error, within

MAX_VERDICT = 4000  # characters of one test's message: the longest the course writes is under 1,500
MAX_RAISED = 2000   # characters of an error's message quoted from the student's code


class Failed(Exception):
    """A failed test; its message is what the student reads. ``solves`` names
    the variant of another id that the answer solves, when that is why;
    ``mistakes`` are the catalogued Mistakes the message names."""

    def __init__(self, message, solves=None, mistakes=()):
        super().__init__(message)
        self.solves = solves
        self.mistakes = tuple(mistakes)


class Outcome(NamedTuple):
    """What one call of a student's function came to: a value, an error it
    raised ("Type: message"), or a problem that kept it from answering."""
    value: object = None
    raised: Optional[str] = None
    problem: Optional[str] = None


class Call(NamedTuple):
    """The arguments of one call; a case generator yields these or plain argument tuples."""
    args: tuple
    kwargs: dict


def course_secret(path):
    """The course's secret (created on first use, readable by its owner
    only): hidden cases are drawn from it, so they are not in the repository."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    return path.read_bytes().strip()


def seed(secret, assignment, student, grade_id):
    """The seed of one test's hidden cases: the same at every regrade, unknowable without the secret."""
    message = f"{assignment}\n{student}\n{grade_id}".encode()
    return int.from_bytes(hmac.new(secret, message, "sha256").digest()[:8], "big")


def cell_outputs(reply, count):
    """The cells' outputs from the worker's "ran" reply, checked to be text of
    the expected shape and cut to size (the worker's own cut cannot be trusted)."""
    outputs = reply["ran"] if type(reply) is dict else None
    if type(outputs) is not list or len(outputs) != count:
        raise WireError("not one output per cell")
    checked = []
    for output in outputs:
        if type(output) is not dict or set(output) != {"stdout", "stderr", "result", "error"}:
            raise WireError("not a cell's output")
        text = {key: output[key] for key in ("stdout", "stderr", "result")}
        if not all(type(v) is str or (k == "result" and v is None) for k, v in text.items()):
            raise WireError("not text")
        error = output["error"]
        if error is not None and not (type(error) is list and len(error) == 3 and type(error[0]) is str
                                      and type(error[1]) is str and type(error[2]) is list
                                      and all(type(line) is str for line in error[2])):
            raise WireError("not an error")
        text = {k: v if v is None or len(v) <= MAX_OUTPUT else v[:MAX_OUTPUT] + TRUNCATED for k, v in text.items()}
        checked.append({**text, "error": error and cut_error(error)})
    return within(checked)


class Student:
    """A submission's code, running in a confined worker; ``call`` is the only way in.

    ``cells`` is a list of (label, source): the notebook's code cells that
    are not tests, in order. A call that crashes the worker or runs out of
    time fails alone: the next call starts a new worker (at most
    ``restarts`` times), which runs the cells again.
    """

    def __init__(self, cells, argv, cells_timeout=60.0, call_timeout=30.0, restarts=3):
        self.cells, self.argv = list(cells), argv
        self.cells_timeout, self.call_timeout, self.restarts = cells_timeout, call_timeout, restarts
        self.process, self.buffer, self.outputs = None, bytearray(), []
        self.assignment, self.id = "", ""  # what the submission is, for its variant

    def start(self):
        """Run the cells in a new worker; return None, or why they could not run."""
        self.close()
        self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.buffer = bytearray()
        deadline = time.monotonic() + self.cells_timeout
        try:
            self._send({"cells": [source for _, source in self.cells]}, deadline)
            self.outputs = cell_outputs(self._receive(deadline), len(self.cells))
        except TimeoutError:
            self.close()
            return f"timed out: the notebook's cells ran past the limit of {self.cells_timeout:g} s"
        except (EOFError, BrokenPipeError, OSError):
            self.close()
            return "kernel died: the notebook's code stopped the Python process running it"
        except Exception:  # a reply that is not one
            self.close()
            return "kernel died: the Python process running the notebook stopped answering the grader"
        return None

    def call(self, name, args, kwargs=None, given=()):
        """Call the student's ``name`` on copies of ``args``; an Outcome, never an exception.

        While it runs, the functions named in ``given`` are the reference's,
        answered from here (``worker.py`` explains how).
        """
        if self.process is None:
            if self.restarts <= 0:
                return Outcome(problem=f"{name} was not called: the Python process running your "
                                       f"code crashed or hung too many times")
            self.restarts -= 1
            problem = self.start()
            if problem:
                return Outcome(problem=f"{name} could not be called: {problem}")
        deadline = time.monotonic() + self.call_timeout
        largest = max(MIN_LENT_DIMENSION, *_dimensions((args, kwargs)))
        try:
            self._send({"call": name, "args": encode(tuple(args)), "kwargs": encode(dict(kwargs or {})),
                        "given": list(given)}, deadline)
            reply = self._receive(deadline)
            while type(reply) is dict and set(reply) == {"given", "args", "kwargs"} and reply["given"] in given:
                self._send(_lend(reply["given"], reply["args"], reply["kwargs"], largest), deadline)
                reply = self._receive(deadline)
            if type(reply) is not dict or len(reply) != 1:
                raise WireError("not a reply")
            (kind, body), = reply.items()
            if kind == "returned":
                return Outcome(value=decode(body))
            if kind == "raised" and type(body) is list and [type(b) for b in body] == [str, str]:
                return Outcome(raised=f"{body[0][:200]}: {body[1][:MAX_RAISED]}")
            if kind == "missing":
                errors = "; ".join(f"{label} raised {output['error'][0]}: {output['error'][1]}"
                                   for (label, _), output in zip(self.cells, self.outputs) if output["error"])
                return Outcome(problem=f"{name} is not defined in your notebook"
                                       + (f" ({errors[:600]})" if errors else ""))
            raise WireError("not a reply")
        except TimeoutError:
            self.close()
            return Outcome(problem=f"{name} ran past the time limit of {self.call_timeout:g} s")
        except (EOFError, BrokenPipeError, OSError):
            self.close()
            return Outcome(problem=f"{name} stopped the Python process running it (a crash or an exit)")
        except Exception as error:  # whatever a reply does to decoding, it is this call's wrong answer
            self.close()
            return Outcome(problem=f"what {name} returned could not be read as numbers, "
                                   f"strings, lists or dicts" + (f" ({error})" if type(error) is WireError else ""))

    def close(self):
        if self.process is not None:
            # bubblewrap's --die-with-parent takes everything in the sandbox with it
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
            self.process = None

    def _send(self, message, deadline):
        payload = json.dumps(message).encode()
        data = memoryview(b"%d\n" % len(payload) + payload)
        fd = self.process.stdin.fileno()
        os.set_blocking(fd, False)  # a worker that stops reading holds the judge until the deadline, no longer
        while data:
            if not select.select([], [fd], [], max(0.0, deadline - time.monotonic()))[1]:
                raise TimeoutError
            try:
                data = data[os.write(fd, data[:65536]):]
            except BlockingIOError:
                continue

    def _receive(self, deadline):
        fd = self.process.stdout.fileno()
        while True:
            newline = self.buffer.find(b"\n", 0, 24)
            if newline >= 0:
                header = bytes(self.buffer[:newline])
                if not header.isdigit() or int(header) > MAX_REPLY:
                    raise WireError("bad header")
                end = newline + 1 + int(header)
                if len(self.buffer) >= end:
                    payload = bytes(self.buffer[newline + 1:end])
                    del self.buffer[:end]
                    return json.loads(payload)
            elif len(self.buffer) >= 24:
                raise WireError("bad header")
            if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise EOFError
            self.buffer += chunk


MAX_LENT_VALUES = 2**20  # numbers in the arguments of one call of a lent function
MIN_LENT_DIMENSION = 64  # the largest dimension lent calls may use, when the case's own are smaller


def _lend(name, args, kwargs, largest):
    """The reply to a student's call of the reference's ``name``, lent for
    one call: its value, or the error it raised, for arguments decoded as data.

    The reference runs here, in the judge's process, so the student must not
    choose what it costs: no dimension of an argument may exceed ``largest``,
    the largest of the case's own arguments or ``MIN_LENT_DIMENSION`` (every
    array a correct solution hands on is made of those), and all of them together hold at most
    ``MAX_LENT_VALUES`` numbers."""
    args, kwargs = decode(args), decode(kwargs)
    if type(args) is not tuple or type(kwargs) is not dict:
        raise WireError("not arguments")
    if _count(args) + _count(kwargs) > MAX_LENT_VALUES:
        return {"raised": ["ValueError", "arguments too large"]}
    over = max(_dimensions((args, kwargs)), default=0)
    if over > largest:
        return {"raised": ["ValueError", f"an argument with a dimension of {over}, larger than any of the "
                                         f"case's arguments ({largest}): no correct solution passes it on"]}
    try:
        with np.errstate(all="ignore"):
            return {"returned": encode(getattr(reference, name)(*args, **kwargs))}
    except Exception as error:
        return {"raised": [type(error).__name__, str(error)[:500]]}


def _dimensions(value):
    """Every array dimension and list length in a value (decoded, or the case's own)."""
    if type(value) is np.ndarray:
        return list(value.shape)
    if type(value) in (list, tuple):
        return [len(value), *(d for v in value for d in _dimensions(v))]
    if type(value) is dict:
        return [d for v in value.values() for d in _dimensions(v)]
    return []


def _count(value):
    """How many numbers a decoded value holds."""
    if type(value) is np.ndarray:
        return value.size
    if type(value) in (list, tuple):
        return len(value) + sum(_count(v) for v in value)
    if type(value) is dict:
        return len(value) + sum(_count(v) for v in value.values())
    return 1


def explains(mistake, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9, variant=None):
    """Whether the catalogued ``mistake`` explains an answer that returned ``got`` on ``args``, or
    raised ``raised`` ("Type: message"): True, False, or None when this case cannot tell (the
    mistaken code raises here too, with another message: the mistake's own code and the student's
    fail on the same shapes, in their own words)."""
    if raised is not None and mistake.raises and re.search(mistake.raises, raised):
        return True
    if mistake.wrong is None:
        return False
    try:
        with np.errstate(all="ignore"):
            wrong_value = mistake.wrong(variant if mistake.per_variant else reference,
                                        *copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
    except Exception as error:
        if raised is None:
            return False
        # the mistaken code fails the same way: W instead of W.T on a non-square layer
        return True if raised == f"{type(error).__name__}: {error}" else None
    return raised is None and difference(got, wrong_value, rtol, atol) is None


def matching(mistakes, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9, variant=None):
    """Messages of the catalogued ``mistakes`` of a function that explain an
    answer: one that returned ``got`` on ``args``, or raised ``raised`` ("Type:
    message"). A task with variants passes the student's ``Variant``: its
    mistakes are computed for it (and say nothing of another variant's)."""
    return [mistake.message for mistake in explaining(mistakes, args, kwargs, got, raised, rtol, atol, variant)]


def explaining(mistakes, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9, variant=None):
    """The catalogued ``mistakes`` that explain an answer, as ``matching`` finds them."""
    return [mistake for mistake, said in told(mistakes, args, kwargs, got, raised, rtol, atol, variant) if said]


def told(mistakes, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9, variant=None):
    """(mistake, ``explains``) for each of ``mistakes``."""
    return [(mistake, explains(mistake, args, kwargs, got, raised, rtol, atol, variant)) for mistake in mistakes]


# A catalogued mistake is named when it explains at least this share of the failing cases that can
# tell (``explains``). Below it, the mistake merely coincides with the answer on a case or two (a
# class-weights answer wrong in 6 of 7 cases matched "T - O" on the one case where the weights were
# equal), and naming it would send the student to fix the wrong thing.
NAMED_SHARE = 2 / 3


def named(function, failures):
    """The message of a failed ``compare``. ``failures`` are (where, problem, told) of the failing
    cases, ``told`` the (mistake, explains) pairs of ``told``. It names the mistake that explains
    the most of them (several can coincide on small networks; catalogue order breaks ties) if it
    explains every case that can tell, or at least ``NAMED_SHARE`` of them and the message says how
    many; else it reports the first failure plainly."""
    best, explained, decided = _best(failures)
    if best is None:
        where, problem, _ = failures[0]
        return wrong(function, where, problem)
    where, problem, pairs = next(f for f in failures if f[2][best][1])
    message = pairs[best][0].message
    if explained[best] < decided[best]:
        message += (f" (This explains {explained[best]} of the {decided[best]} failing cases; the others "
                    f"are wrong in some other way too.)")
    return wrong(function, where, problem, message)


def named_mistake(failures):
    """The catalogued Mistake that ``named`` names for ``failures``, or None."""
    best, _, _ = _best(failures)
    return None if best is None else failures[0][2][best][0]


def _best(failures):
    """(the place in the catalogue of the mistake ``named`` names, or None; {place: failing cases it
    explains}; {place: failing cases that can tell})."""
    explained, decided = {}, {}  # by the mistake's place in the catalogue (two may share a message)
    for _, _, pairs in failures:
        for k, (_, said) in enumerate(pairs):
            explained[k] = explained.get(k, 0) + (said is True)
            decided[k] = decided.get(k, 0) + (said is not None)
    best = max(explained, key=explained.get, default=None)
    if best is None or explained[best] == 0 or explained[best] < NAMED_SHARE * decided[best]:
        best = None
    return best, explained, decided


def numbers(value):
    """A decoded value as an array of floats, or None if it is not a number or an
    array (or list) of real numbers: what a custom test checks the shape of."""
    if type(value) not in (np.ndarray, list, tuple, int, float):
        return None
    try:
        array = np.array(value)
    except (TypeError, ValueError):
        return None
    return array.astype(float) if array.dtype.kind in "iuf" else None


def returned(outcome, name):
    """The value of a call, or Failed saying why there is none."""
    if outcome.problem:
        raise Failed(outcome.problem)
    if outcome.raised:
        raise Failed(f"{name} raised {outcome.raised}")
    return outcome.value


def compare(function, cases, rtol=1e-6, atol=1e-9, reference_function=None, per_variant=False):
    """The test that ``function`` agrees with the reference on every case
    ``cases(rng)`` draws (argument tuples, or ``Call``s with keywords).

    The reference is ``backprop.network``'s function of that name, or
    ``reference_function`` for a task the book does not implement. With
    ``per_variant``, the task has a variant per student
    (``coursework.variants``): the reference and the cases take the
    submitter's ``Variant`` first, and an answer that solves another
    variant is told so.

    All cases run; the message names a catalogued mistake only where it
    explains the failing cases (``named``), or else reports the first failure.
    """
    reference_function = reference_function or getattr(reference, function)
    names = list(inspect.signature(reference_function).parameters)[1 if per_variant else 0:]

    def test(student, rng):
        own = variants.variant(student.assignment, student.id) if per_variant else None
        solves = functools.partial(reference_function, own) if per_variant else reference_function
        calls, failures = [], []  # (args, kwargs, outcome); (where, problem, matching mistakes)
        for case in cases(rng, own) if per_variant else cases(rng):
            args, kwargs = case if isinstance(case, Call) else (case, {})
            expected = solves(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            outcome = student.call(function, args, kwargs, given=test.given)
            if outcome.problem:
                raise Failed(outcome.problem)
            calls.append((args, kwargs, outcome))
            where = f"called with {describe_args(names, args, kwargs)}"
            if outcome.raised:
                failures.append((where, f"it raised {outcome.raised}",
                                 told(test.mistakes, args, kwargs, raised=outcome.raised, variant=own)))
                continue
            problem = difference(outcome.value, expected, rtol, atol)
            if problem:
                failures.append((where, problem, told(test.mistakes, args, kwargs, got=outcome.value,
                                                      rtol=rtol, atol=atol, variant=own)))
        if not failures:
            return
        if per_variant:
            for other in variants.names(student.assignment):
                theirs = variants.variant_named(student.assignment, other)
                if other != own.name and all(
                        not outcome.raised and difference(outcome.value, reference_function(
                            theirs, *copy.deepcopy(args), **copy.deepcopy(kwargs)), rtol, atol) is None
                        for args, kwargs, outcome in calls):
                    message = (f"your {function} solves the variant \"{other}\", which is not yours: "
                               f"you submitted as {own.student!r}, whose variant is \"{own.name}\" "
                               f"({own.text}). Enter the id you submit under in the notebook's STUDENT_ID "
                               f"cell, run the cell after it to see your variant, and solve that one.")
                    # where variants differ by a factor, a mistake in one can give another's answer exactly
                    alike = [m for m in explaining(test.mistakes, *calls[0][:2], got=calls[0][2].value, rtol=rtol,
                                                   atol=atol, variant=own)
                             if all(m in explaining(test.mistakes, args, kwargs, got=outcome.value, rtol=rtol,
                                                    atol=atol, variant=own) for args, kwargs, outcome in calls[1:])]
                    if alike:
                        message += (f"\n\nIf {own.student!r} is your id already, the same answer comes from a "
                                    f"known mistake in your own variant: {alike[0].message}")
                    raise Failed(message, solves=other, mistakes=alike[:1])
        raise Failed(named(function, failures), mistakes=filter(None, [named_mistake(failures)]))

    # the functions it is built on that the same assignment grades: the judge lends its own
    # (grader.assignments sets them, and the function's catalogued mistakes), so that one slip
    # costs the marks of one function
    test.function, test.reference, test.given, test.cases = function, reference_function, (), cases
    test.mistakes = ()
    test.per_variant = per_variant
    return test


def judge(cells, tests, seed_of, argv=None, cells_timeout=60.0, call_timeout=30.0, assignment="", student_id=""):
    """Every test of ``tests`` ({grade_id: test}) on the submission whose code is ``cells``.

    ``seed_of(grade_id)`` seeds each test's hidden cases; ``assignment`` and
    ``student_id`` (the id it was submitted under) choose its variant. Returns the
    report, a ``schema.Report``.
    """
    student = Student(cells, argv or sandbox.worker_argv(), cells_timeout, call_timeout)
    student.assignment, student.id = assignment, student_id
    try:
        problem = student.start()
        if problem:
            return Report(status="not graded", reason=problem, tests={}, outputs=[], restored=[])
        verdicts = {}
        for grade_id, test in tests.items():
            try:
                test(student, np.random.default_rng(seed_of(grade_id)))
                verdicts[grade_id] = Verdict(passed=True, message="")
            except Failed as failure:
                message = str(failure)  # cut here, whatever the test quoted of the student's
                message = message if len(message) <= MAX_VERDICT else message[:MAX_VERDICT] + TRUNCATED
                verdicts[grade_id] = Verdict(passed=False, message=message,
                                             **({"solves": failure.solves} if failure.solves else {}),
                                             **({"mistakes": [Named(function=m.function, name=m.name)
                                                              for m in failure.mistakes]} if failure.mistakes else {}))
        return Report(status="graded", reason="", tests=verdicts, outputs=student.outputs, restored=[])
    finally:
        student.close()
