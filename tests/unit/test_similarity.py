"""The similarity report (grader/similarity.py): a copy with renamed
variables, other comments and another layout is found; two answers written
independently, answers left as released, short answers and broken
notebooks are not reported, and nothing crashes on them."""

import copy
import csv
import json
import random
import time

import nbformat
import pytest

from conftest import ROOT
from grader import similarity

A = "ch03_output_error"
RELEASE = nbformat.read(ROOT / "exercises" / A / f"{A}.ipynb", as_version=4)
SOLUTION = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)

ORIGINAL = {
    "output_error": '''def output_error(O, T):
    """Err_j = O_j (1 - O_j) (T_j - O_j) of the output units (chapter 3, eq. 3.1)."""
    # the sigmoid's derivative times the error
    derivative = O * (1.0 - O)
    difference = T - O
    return derivative * difference
''',
    "one_hot": '''def one_hot(labels, n_classes):
    """Targets T with T_j = 1 for the tuple's class j, 0 elsewhere (chapter 3)."""
    labels = np.asarray(labels, dtype=int)
    targets = np.zeros((labels.shape[0], n_classes), dtype=float)
    for row, label in enumerate(labels):
        if label < 0 or label >= n_classes:
            raise ValueError('a label out of range')
        targets[row, label] = 1.0  # one hot
    return targets
'''}

# the same code: every name changed, other comments, another layout, other quotes
DISGUISED = {
    "output_error": '''def output_error(out, target):
    # derivative
    d = out*(1.-out)

    e = target-out  # error
    return d*e''',
    "one_hot": '''def one_hot(lab, k):
    """My own one-hot encoder."""
    lab = np.asarray( lab,
                      dtype = int )
    result = np.zeros(
        (lab.shape[0], k), dtype=float
    )
    for i, l in enumerate(lab):
        if l < 0 or l >= k: raise ValueError("a label out of range")
        result[i, l] = 1.
    return result'''}

# correct too, written independently
INDEPENDENT = {
    "output_error": '''def output_error(O, T):
    O = np.asarray(O, dtype=float)
    T = np.asarray(T, dtype=float)
    error = (T - O) * O * (1 - O)
    return error''',
    "one_hot": '''def one_hot(labels, n_classes):
    labels = np.asarray(labels)
    T = np.eye(n_classes)[labels]
    assert T.shape == (len(labels), n_classes)
    return T'''}


def answered(sources, nb=RELEASE):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell.source = sources[grade_id]
    return nb


def pairs(students, **options):
    return similarity.similar_pairs({s: {f"{A}.ipynb": nb} for s, nb in students.items()},
                                    {f"{A}.ipynb": RELEASE}, {f"{A}.ipynb": SOLUTION}, **options)


def tokens(source):
    return [t for line in similarity.code_lines(source) for t in line]


def test_names_comments_layout_and_quotes_do_not_count():
    assert tokens("x = 'a'  # one\nif x:\n    y = x + 1.") == tokens('value = "a"\n\nif value: total = value + 1.0  # two')
    assert similarity.code_lines('def f(a):\n    """doc"""\n    return np.zeros(a)') == [
        ("def", "_0", "(", "_1", ")", ":"), ("return", "_2", ".", "zeros", "(", "_1", ")")]
    # builtins, keywords and attributes keep their names: they are not the student's to choose
    assert tokens("np.zeros(len(x))") != tokens("np.ones(len(x))")


def test_a_disguised_copy_scores_one_and_is_reported():
    students = {"ann": answered(ORIGINAL), "bob": answered(DISGUISED), "cat": answered(INDEPENDENT),
                "dan": RELEASE}
    (pair,) = pairs(students)
    assert (pair["student_a"], pair["student_b"], pair["score"]) == ("ann", "bob", 1.0)
    assert pair["cells"] == "one_hot output_error" and pair["tokens"] >= similarity.MIN_TOKENS
    assert pair["reference_score"] < 0.9  # not the course's solution


def test_independent_answers_score_lower_and_are_not_reported():
    students = {"ann": answered(ORIGINAL), "cat": answered(INDEPENDENT)}
    assert pairs(students) == []
    (pair,) = pairs(students, threshold=0)
    assert pair["score"] < 0.7, pair


def test_answers_left_as_released_are_not_compared():
    restyled = answered({"output_error": RELEASE.cells[[c.metadata.get("nbgrader", {}).get("grade_id")
                                                        for c in RELEASE.cells].index("output_error")].source
                         .replace("# YOUR CODE HERE", "# I gave up")})
    students = {"ann": RELEASE, "bob": copy.deepcopy(RELEASE), "cat": restyled}
    assert pairs(students, threshold=0, min_tokens=0) == []


def test_the_course_solution_handed_in_twice_is_not_reported():
    students = {"ann": SOLUTION, "bob": copy.deepcopy(SOLUTION)}
    assert pairs(students) == [] and pairs(students, min_tokens=0) == []


def test_only_cells_both_answered_are_compared():
    students = {"ann": answered(ORIGINAL), "bob": answered({"one_hot": DISGUISED["one_hot"]})}
    (pair,) = pairs(students)
    assert pair["cells"] == "one_hot" and pair["score"] == 1.0


@pytest.mark.parametrize("broken", [
    None, [], "text", {"hello": "world"}, {"cells": "not a list"}, {"cells": [1, None, "x"]},
    {"cells": [{"cell_type": "code", "metadata": "oops", "source": "x = 1"}]},
    {"cells": [{"cell_type": "code", "metadata": {"nbgrader": "oops"}, "source": "x = 1"}]},
    {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "one_hot"}}, "source": 42}]},
    {"cells": [{"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "one_hot"}}, "source": "x"}]},
    nbformat.v4.new_notebook(),  # no answer cells at all
    answered({"one_hot": "def one_hot(labels, n_classes):\n    return '''unclosed"}),
    answered({"one_hot": "def one_hot(labels, n_classes):\n    return (1,\n"}),
    answered({"one_hot": "%timeit x\n!ls\n  bad indent\n\tmixed\n"}),
    answered({"one_hot": ["def one_hot(labels, n_classes):\n", "    return np.eye(n_classes)[labels]\n"]}),
])
def test_a_broken_or_empty_notebook_is_no_crash(broken):
    students = {"ann": answered(ORIGINAL), "bob": answered(DISGUISED), "odd": broken}
    assert [(p["student_a"], p["student_b"]) for p in pairs(students)] == [("ann", "bob")]
    similarity.similar_pairs({"odd": {f"{A}.ipynb": broken}}, {f"{A}.ipynb": RELEASE})
    similarity.similar_pairs({"odd": {}}, {f"{A}.ipynb": RELEASE})
    similarity.similar_pairs({}, {f"{A}.ipynb": RELEASE})


def test_the_csv_is_escaped_and_replaced_whole(tmp_path):
    path = tmp_path / "similarity" / f"{A}.csv"
    path.parent.mkdir()
    path.write_text("the previous run's\n")
    students = {"ann\x1b[31m": answered(ORIGINAL), "=bob": answered(DISGUISED)}
    similarity.write_csv(path, pairs(students))
    rows = list(csv.DictReader(open(path)))
    # a control character is escaped, and an id a spreadsheet would run as a formula is quoted
    assert [(r["student_a"], r["student_b"], r["score"]) for r in rows] == [("'=bob", "ann\\x1b[31m", "1.0")]
    assert list(rows[0]) == similarity.COLUMNS and "\x1b" not in path.read_text()
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{A}.csv"]


def test_write_reports_reads_what_a_run_staged_and_survives_a_bad_assignment(tmp_path, capsys):
    work = tmp_path / "_grading"
    for student, nb in {"ann": answered(ORIGINAL), "bob": answered(DISGUISED)}.items():
        inbox = work / "jobs" / A / student / "submitted" / student / A
        inbox.mkdir(parents=True)
        nbformat.write(nb, inbox / f"{A}.ipynb")
    (work / "jobs" / A / "corrupt" / "submitted" / "corrupt" / A).mkdir(parents=True)
    (work / "jobs" / A / "corrupt" / "submitted" / "corrupt" / A / f"{A}.ipynb").write_text("{trunc")
    (tmp_path / "exercises").symlink_to(ROOT / "exercises")
    (tmp_path / "solutions").symlink_to(ROOT / "solutions")
    similarity.write_reports(tmp_path, work, [A, "ch99_missing"])
    rows = list(csv.DictReader(open(tmp_path / "similarity" / f"{A}.csv")))
    assert [(r["student_a"], r["student_b"]) for r in rows] == [("ann", "bob")]
    assert list(csv.reader(open(tmp_path / "similarity" / "ch99_missing.csv"))) == [similarity.COLUMNS]
    assert f"similarity/{A}.csv: 1 pair of" in capsys.readouterr().err


def test_a_class_of_300_is_compared_in_seconds():
    """300 students (44,850 pairs), every one answering both cells with
    code of their own drawn from a few variants, two of them copies."""
    rng = random.Random(0)
    lines = ["{t} = np.zeros(({l}.shape[0], {n}), dtype=float)", "{l} = np.asarray({l}, dtype=int)",
             "for {r}, {x} in enumerate({l}):", "    {t}[{r}, {x}] = 1.0", "    assert 0 <= {x} < {n}",
             "{t} = np.eye({n})[{l}]", "{t}[np.arange(len({l})), {l}] = 1.0", "print({t}.sum(axis=1))"]
    students = {}
    for number in range(300):
        names = dict(t=f"t{number}", l="labels", n="n_classes", r=f"r{number}", x=f"x{number}")
        body = [rng.choice(lines) for _ in range(rng.randint(6, 14))]
        students[f"s{number:03}"] = answered({
            "one_hot": "def one_hot(labels, n_classes):\n" + "".join(f"    {line.format(**names)}\n" for line in body)
            + f"    return {names['t']}",
            "output_error": f"def output_error(O, T):\n    return {' + '.join(['O * (1 - O) * (T - O)'] * 4)}"})
    students["s999"] = copy.deepcopy(students["s007"])
    start = time.perf_counter()
    found = pairs(students)
    took = time.perf_counter() - start
    assert ("s007", "s999") in {(p["student_a"], p["student_b"]) for p in found}
    assert took < 20, f"{took:.1f} s for 300 students"
    print(f"300 students: {took:.2f} s, {len(found)} pairs reported; {json.dumps(found[:1])}")
