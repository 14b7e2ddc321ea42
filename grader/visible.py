"""What the visible checks need from the catalogue of mistakes, as data:
``coursework/examples.txt``, written when the student copies are generated
(``make assignments`` runs ``python -m grader.visible``).

Every solution notebook is run once per variant, with ``coursework.check``'s
``check`` recording each call (the function, its arguments, the expected
value) and the earlier chapters' functions taken from the reference, as the
judge gives them. For each recorded example, every catalogued mistake of
that function is computed here, on the instructor's side, and only the value
it gives (or the error it raises) is stored: a student's ``check`` names a
mistake by comparing with those values, and no formula leaves the grader.
The file also says which exercise grades each function (for
``coursework.earlier``) and which errors name a mistake (its ``raises``
pattern).
"""

import argparse
import contextlib
import copy
import io
import json
import os
from pathlib import Path

import nbformat
import numpy as np

import coursework.check
import coursework.earlier
from backprop import network as reference
from coursework import variants
from coursework.compare import difference
from coursework.wire import encode

from .assignments import CATALOGUE, GIVEN, TESTS, for_function

ROOT = Path(__file__).resolve().parents[1]


def _plain(encoded):
    """Whether an encoded value holds only plain data (no stand-in for another type)."""
    if isinstance(encoded, dict):
        return "other" not in encoded and all(_plain(v) for v in encoded.values())
    if isinstance(encoded, list):
        return all(_plain(v) for v in encoded)
    return True


def student_ids(assignment, tries=10000):
    """{variant name or None: an id that gets it}: one run per variant."""
    if assignment not in variants.OPTIONS:
        return {None: "student"}
    found = {}
    for n in range(tries):
        found.setdefault(variants.variant(assignment, f"student-{n}").name, f"student-{n}")
    missing = set(variants.names(assignment)) - set(found)
    if missing:
        raise RuntimeError(f"no id among {tries} gets {sorted(missing)} of {assignment}")
    return found


@contextlib.contextmanager
def recording(calls):
    """``coursework.check.check`` that appends (name, args, kwargs, expected, variant) to ``calls``."""
    check = coursework.check.check

    def record(name, fn, args, expected, where="", kwargs=None, rtol=1e-6, atol=1e-9, variant=None):
        calls.append((name, copy.deepcopy(args), copy.deepcopy(kwargs or {}), copy.deepcopy(expected), rtol, atol))
        return check(name, fn, args, expected, where, kwargs, rtol, atol, variant)

    coursework.check.check = record
    try:
        yield
    finally:
        coursework.check.check = check


@contextlib.contextmanager
def lent(assignment):
    """``coursework.earlier`` giving the reference's functions that ``assignment``
    imports from it, as the judge's sandbox does, in this process."""
    for name in GIVEN[assignment]:
        setattr(coursework.earlier, name, getattr(reference, name))
    try:
        yield
    finally:
        for name in GIVEN[assignment]:
            delattr(coursework.earlier, name)


def run_solution(assignment, student_id):
    """The check calls of ``assignment``'s solution notebook, run for ``student_id``."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    calls, namespace = [], {"__name__": "__main__"}
    with lent(assignment), recording(calls), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            source = f"STUDENT_ID = {student_id!r}" if cell.source.startswith("STUDENT_ID") else cell.source
            exec(compile(source, f"{assignment}.ipynb", "exec"), namespace)
    return calls


def mistakes_on(name, args, kwargs, expected, variant, rtol=1e-6, atol=1e-9):
    """What each catalogued mistake of ``name`` gives on one example, where the check (with its
    tolerances) would tell it from ``expected``."""
    found = []
    for mistake in for_function(name):
        if mistake.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                value = mistake.wrong(variant if mistake.per_variant else reference,
                                      *copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception as error:
            found.append({"message": mistake.message, "raised": f"{type(error).__name__}: {error}"})
            continue
        encoded = encode(value)
        if _plain(encoded) and difference(value, expected, rtol, atol) is not None:
            found.append({"message": mistake.message, "value": encoded})
    return found


def examples(assignments=None):
    """The content of ``examples.txt``."""
    graded = {test.function: assignment for assignment, tests in TESTS.items()
              for test in tests.values() if hasattr(test, "function")}
    raises = {}
    for mistake in CATALOGUE:
        if mistake.raises:
            raises.setdefault(mistake.function, []).append([mistake.raises, mistake.message])
    found = {}  # {function: [example, ...]}
    for assignment in assignments or sorted(TESTS):
        ids, here = student_ids(assignment), {}  # here: {function: {key: (example, its variants)}}
        for variant_name, student_id in ids.items():
            variant = variants.variant(assignment, student_id) if variant_name else None
            for name, args, kwargs, expected, rtol, atol in run_solution(assignment, student_id):
                example = {"args": encode(list(args)), "kwargs": encode(kwargs), "expected": encode(expected),
                           "mistakes": mistakes_on(name, args, kwargs, expected, variant, rtol, atol)}
                if not _plain(example["args"]) or not _plain(example["kwargs"]):
                    continue
                key = json.dumps(example, sort_keys=True)
                here.setdefault(name, {}).setdefault(key, (example, []))[1].append(variant_name)
        for name, by_key in here.items():
            for example, names in by_key.values():
                # an example that every variant meets alike holds for a student of any variant
                example["variants"] = None if set(names) == set(ids) else sorted(names)
                found.setdefault(name, []).append(example)
    return {"graded": graded, "raises": raises,
            "examples": dict(sorted(found.items()))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=coursework.check.EXAMPLES)
    out = parser.parse_args(argv).output
    os.environ.setdefault("MPLBACKEND", "Agg")
    data = examples()
    out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
    count = sum(len(v) for v in data["examples"].values())
    print(f"{out}: {count} examples of {len(data['examples'])} functions, {out.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
