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


def with_cells(nb, *sources, after=None):
    """nb with code cells added as a student adds them (no nbgrader
    metadata): at the end, or after the cell with the grade id ``after``."""
    nb = copy.deepcopy(nb)
    at = len(nb.cells) if after is None else 1 + [c.metadata.get("nbgrader", {}).get("grade_id")
                                                  for c in nb.cells].index(after)
    nb.cells[at:at] = [nbformat.v4.new_code_cell(source) for source in sources]
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


# the course's answers, as the solution's answer cells hold them
SOLVED = [c.source for c in SOLUTION.cells if c.metadata.get("nbgrader", {}).get("solution")]
SCRATCH = {"ann": "print(one_hot([0, 2, 1], 3))\nprint(output_error(np.array([0.5]), np.array([1.0])))",
           "bob": """import matplotlib.pyplot as plt
O = np.linspace(0.01, 0.99, 50)
for t in (0.0, 1.0):
    plt.plot(O, output_error(O, np.full_like(O, t)), label=f"T = {t}")
plt.legend()
plt.title("output_error against O")
plt.show()
counts = one_hot(np.random.default_rng(1).integers(0, 5, size=100), 5).sum(axis=0)
assert counts.sum() == 100, counts"""}


def test_code_in_cells_added_below_the_answers_is_compared():
    """The answer cells left as released, the code in cells added below them:
    two copies of that notebook are a pair, as are two copies in answer cells."""
    copied = with_cells(RELEASE, ORIGINAL["output_error"], ORIGINAL["one_hot"])
    students = {"ann": copied, "bob": copy.deepcopy(copied), "dan": RELEASE}
    (pair,) = pairs(students)
    assert (pair["student_a"], pair["student_b"], pair["score"]) == ("ann", "bob", 1.0)
    assert pair["cells"] == "all own code: added cells" and pair["tokens"] >= similarity.MIN_TOKENS
    assert pair["reference_score"] < 0.9  # not the course's solution
    # names, layout and comments changed, and both functions in one cell rather than two: the same code
    students["cat"] = with_cells(RELEASE, DISGUISED["output_error"] + "\n\n" + DISGUISED["one_hot"])
    assert [(p["student_a"], p["student_b"], p["score"]) for p in pairs(students)] == [
        ("ann", "bob", 1.0), ("ann", "cat", 1.0), ("bob", "cat", 1.0)]


def test_code_moved_out_of_the_answer_cells_is_found_and_scratch_cells_hide_no_copy():
    students = {"ann": answered(ORIGINAL), "bob": with_cells(RELEASE, *DISGUISED.values(), after="given")}
    (pair,) = pairs(students)
    assert (pair["score"], pair["cells"]) == (1.0, "all own code: added cells + one_hot + output_error")
    # a copy in the answer cells, each with cells of their own besides: the answer cells are compared
    students = {name: with_cells(answered(answers), SCRATCH[name])
                for name, answers in {"ann": ORIGINAL, "bob": DISGUISED}.items()}
    (pair,) = pairs(students)
    assert (pair["score"], pair["cells"]) == (1.0, "one_hot output_error")


def test_different_code_in_added_cells_is_not_reported():
    students = {"ann": with_cells(RELEASE, *ORIGINAL.values()), "cat": with_cells(RELEASE, *INDEPENDENT.values())}
    assert pairs(students) == []
    (pair,) = pairs(students, threshold=0)
    assert pair["score"] < 0.7 and pair["cells"] == "all own code: added cells", pair
    # the course's own lines pasted again (its tests, its imports, the id cell) are not the student's
    course = [c.source for c in RELEASE.cells if c.cell_type == "code"
              and not c.metadata.get("nbgrader", {}).get("solution")]
    students = {name: with_cells(nb, *course) for name, nb in students.items()}
    assert [p["score"] for p in pairs(students, threshold=0)] == [pair["score"]]
    assert pairs({"ann": with_cells(RELEASE, *course), "bob": with_cells(RELEASE, *course[::-1])},
                 threshold=0, min_tokens=0) == []


def test_the_course_solution_in_added_cells_is_the_course_solution():
    """Two students who pasted the course's answers into cells of their own
    copied the course, not each other, as two who handed in its solution."""
    students = {"ann": with_cells(RELEASE, *SOLVED), "bob": with_cells(RELEASE, "\n\n".join(SOLVED)),
                "cat": SOLUTION, "dan": with_cells(SOLUTION, SCRATCH["ann"]), "eve": with_cells(SOLUTION, SCRATCH["bob"])}
    assert pairs(students, threshold=0, min_tokens=0) == []
    # without the course's solution to compare with, they are pairs like any other
    found = similarity.similar_pairs({s: {f"{A}.ipynb": nb} for s, nb in students.items()}, {f"{A}.ipynb": RELEASE})
    assert {(p["student_a"], p["student_b"]) for p in found if p["score"] == 1.0} >= {
        ("ann", "bob"), ("ann", "cat"), ("bob", "cat")}


def demoted(nb, sources):
    """nb with each of ``sources`` in a cell whose nbgrader metadata class_run.repair
    takes away: a copy of the one_hot answer cell pasted below it, metadata of the
    wrong type, an unknown grade id, a test's grade id on a cell before that test."""
    nb = copy.deepcopy(nb)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    metadata = [copy.deepcopy(nb.cells[ids.index("one_hot")].metadata.nbgrader), "oops",
                {"grade_id": "my_own", "solution": True},
                copy.deepcopy(nb.cells[ids.index("test_one_hot_hidden")].metadata.nbgrader)]
    at = [ids.index("one_hot") + 1, ids.index("one_hot") + 1, len(ids), ids.index("test_one_hot_hidden")]
    for where, meta, source in sorted(zip(at, metadata, sources), key=lambda x: -x[0]):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = meta
        nb.cells.insert(where, cell)
    return nb


def test_code_in_cells_graded_as_ordinary_cells_is_compared():
    from grader.class_run import repair
    sources = [ORIGINAL["one_hot"], ORIGINAL["output_error"], "checked = one_hot(np.array([2, 0, 1]), 3)",
               "assert (checked.argmax(axis=1) == [2, 0, 1]).all(), checked"]
    copied = demoted(RELEASE, sources)
    staged = copy.deepcopy(copied)  # as make grade stages it for nbgrader
    assert repair(staged, {c.metadata.nbgrader.grade_id: c for c in SOLUTION.cells if "nbgrader" in c.metadata})
    assert not any("nbgrader" in c.metadata for c in staged.cells if c.source in sources)
    for nb in copied, staged:
        students = {"ann": nb, "bob": copy.deepcopy(nb), "cat": demoted(RELEASE, [INDEPENDENT["one_hot"],
                                                                                   INDEPENDENT["output_error"], "", ""])}
        (pair,) = pairs(students)
        assert (pair["student_a"], pair["student_b"], pair["score"], pair["cells"]) == (
            "ann", "bob", 1.0, "all own code: added cells")


def test_the_course_cells_are_not_compared():
    """Code written over the course's given and test cells, which nbgrader puts back when it grades."""
    def over_the_course(nb):
        nb = copy.deepcopy(nb)
        for cell in nb.cells:
            if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("solution", True):
                cell.source = ORIGINAL["one_hot"]
        return nb
    students = {"ann": over_the_course(RELEASE), "bob": over_the_course(RELEASE)}
    assert pairs(students, threshold=0, min_tokens=0) == []


def test_what_is_compared_of_a_long_notebook_is_bounded_and_the_course_lines_do_not_count_towards_it():
    long = with_cells(RELEASE, "\n".join(f"v{k} = v{k - 1} * {k} + np.sum(v{k - 2})" for k in range(3000)))
    # the copy hidden below more of the course's own lines than the limit
    padded = with_cells(RELEASE, "import numpy as np\n" * (similarity.MAX_TOKENS + 1) + ORIGINAL["one_hot"],
                        ORIGINAL["output_error"])
    found = pairs({"ann": long, "bob": copy.deepcopy(long), "cat": padded, "dan": copy.deepcopy(padded)})
    _, own, _ = similarity.own_tokens(with_cells(RELEASE, *ORIGINAL.values()), similarity.Release(RELEASE))
    assert [(p["student_a"], p["student_b"], p["tokens"], p["score"]) for p in found] == [
        ("ann", "bob", similarity.MAX_TOKENS, 1.0), ("cat", "dan", len(own), 1.0)]


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


def test_what_was_compared_is_named_within_a_csv_cell(tmp_path):
    """An assignment of many notebooks, each with code in added cells: the
    cells column is cut to fit, and still says it compared all own code."""
    names = [f"notebook_{k:02}_{'x' * 40}.ipynb" for k in range(12)]
    # one answer in its cell and the other in a cell of one's own; the copy has both in cells of its own
    notebooks = {"ann": with_cells(answered({"output_error": ORIGINAL["output_error"]}), ORIGINAL["one_hot"]),
                 "bob": with_cells(RELEASE, ORIGINAL["output_error"], ORIGINAL["one_hot"])}
    found = similarity.similar_pairs({s: {name: copy.deepcopy(nb) for name in names} for s, nb in notebooks.items()},
                                     {name: RELEASE for name in names})
    (pair,) = found
    assert pair["cells"].startswith(f"all own code: {names[0]}:added cells + {names[0]}:output_error + ")
    assert len(pair["cells"]) > 300 and pair["score"] == 1.0
    similarity.write_csv(tmp_path / "pairs.csv", found)
    (row,) = csv.DictReader(open(tmp_path / "pairs.csv"))
    assert len(row["cells"]) <= 300 and row["cells"].startswith(f"all own code: {names[0]}:added cells")


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
    code of their own drawn from a few variants, and trying it in a cell of
    their own; two of them copies, and one the copy of another's answers
    moved out of the answer cells into cells of their own."""
    rng = random.Random(0)
    lines = ["{t} = np.zeros(({l}.shape[0], {n}), dtype=float)", "{l} = np.asarray({l}, dtype=int)",
             "for {r}, {x} in enumerate({l}):", "    {t}[{r}, {x}] = 1.0", "    assert 0 <= {x} < {n}",
             "{t} = np.eye({n})[{l}]", "{t}[np.arange(len({l})), {l}] = 1.0", "print({t}.sum(axis=1))"]
    tries = ["{l} = np.array([0, 2, 1])", "print(one_hot({l}, 3))", "{t} = one_hot({l}, 4)", "print({t}.shape)",
             "assert output_error(np.ones(2) / 2, np.ones(2)).sum() == 0.25"]
    students, answers = {}, {}
    for number in range(300):
        names = dict(t=f"t{number}", l="labels", n="n_classes", r=f"r{number}", x=f"x{number}")
        body = [rng.choice(lines) for _ in range(rng.randint(6, 14))]
        answers[number] = {
            "one_hot": "def one_hot(labels, n_classes):\n" + "".join(f"    {line.format(**names)}\n" for line in body)
            + f"    return {names['t']}",
            "output_error": f"def output_error(O, T):\n    return {' + '.join(['O * (1 - O) * (T - O)'] * 4)}"}
        students[f"s{number:03}"] = with_cells(answered(answers[number]), "\n".join(
            rng.choice(tries).format(**names) for _ in range(rng.randint(2, 6))))
    students["s999"] = copy.deepcopy(students["s007"])
    students["s998"] = with_cells(RELEASE, answers[7]["output_error"], answers[7]["one_hot"],
                                  students["s007"].cells[-1].source)
    start = time.perf_counter()
    found = pairs(students)
    took = time.perf_counter() - start
    assert {("s007", "s999"), ("s007", "s998")} <= {(p["student_a"], p["student_b"]) for p in found}
    assert took < 20, f"{took:.1f} s for 300 students"
    print(f"300 students: {took:.2f} s, {len(found)} pairs reported; {json.dumps(found[:1])}")
