"""The judge and its worker, without nbgrader: every hidden test passes the
reference solutions and fails each catalogued mistake by name; what crosses
the boundary is plain data; the judge's values are out of the worker's reach."""

import ast
import base64
import tempfile

import coursework
import coursework.check
import nbformat
import numpy as np
import pytest

from coursework import variants
from coursework.check import check
from coursework.compare import difference
from conftest import ROOT, ids_by_variant, student_who_can_make
from grader import assignments
from grader import judge, sandbox
from coursework.wire import Foreign, WireError, decode, encode

pytestmark = pytest.mark.skipif(sandbox.shutil.which("bwrap") is None, reason="needs bubblewrap")


def program(assignment, replace=None):
    """The (label, source) cells the judge runs for the solution of an
    assignment, with answer cells replaced by ``replace`` ({grade_id: source})."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", cell.metadata.get("course", {}))
        if cell.cell_type == "code" and not (meta.get("grade") and not meta.get("solution")):
            cells.append((meta.get("grade_id", "cell"), (replace or {}).get(meta.get("grade_id"), cell.source)))
    return cells


def for_student(student_id, replace=None):
    """Answers ``replace`` in the notebook of ``student_id``, who entered their id."""
    return {"student_id": f"STUDENT_ID = {student_id!r}", **(replace or {})}


GIVEN_FOLDER = tempfile.TemporaryDirectory(prefix="given-")  # removed when the tests end


def argv(assignment):
    """The sandbox of ``assignment``'s worker, with the earlier chapters' functions it imports."""
    graded = {t.function for t in assignments.TESTS[assignment].values() if hasattr(t, "function")}
    return sandbox.worker_argv(given=sandbox.given_file(GIVEN_FOLDER.name, assignment,
                                                        assignments.GIVEN[assignment], graded))


def run(assignment, replace=None, tests=None, student_id="student"):
    return judge.judge(program(assignment, for_student(student_id, replace)), tests or assignments.TESTS[assignment],
                       lambda grade_id: 7,
                       argv(assignment), assignment=assignment, student_id=student_id)


@pytest.mark.parametrize("assignment", sorted(assignments.TESTS))
def test_the_solution_passes_every_test(assignment):
    report = run(assignment)
    assert report["status"] == "graded"
    assert {g: v["message"] for g, v in report["tests"].items() if not v["passed"]} == {}


def assignment_of(function):
    return next(a for a, tests in sorted(assignments.TESTS.items())
                if any(getattr(t, "function", None) == function for t in tests.values()))


@pytest.mark.parametrize("mistake", assignments.CATALOGUE, ids=lambda m: f"{m.function}: {m.name}")
def test_each_catalogued_mistake_fails_and_is_named(mistake):
    assignment = assignment_of(mistake.function)
    tests = {g: t for g, t in assignments.TESTS[assignment].items() if getattr(t, "function", None) == mistake.function}
    student_id = student_who_can_make(mistake, assignment) if mistake.per_variant else "student"
    report = run(assignment, {mistake.function: mistake.example}, tests, student_id)
    catalogue = {(m.function, m.name): m for m in assignments.CATALOGUE}
    for grade_id, verdict in report["tests"].items():
        assert not verdict["passed"], f"{grade_id} passed {mistake.name}"
        assert mistake.message in verdict["message"], verdict["message"]
        assert "def " not in verdict["message"], "a message must not show code"
        # the verdict names it as data too, for the class report (two mistakes may share a message)
        named = [catalogue[n["function"], n["name"]] for n in verdict.get("mistakes", [])]
        assert [m.message for m in named] == [mistake.message], verdict.get("mistakes")


@pytest.mark.parametrize("answer, said", [
    ("import backprop.network\ndef output_error(O, T):\n    return backprop.network.output_error(O, T)",
     "not defined"),
    ("from backprop import output_error", "not defined"),
    ("def output_error(O, T):\n    return None", "returned None"),
    ("def output_error(O, T):\n    return 1 / 0", "ZeroDivisionError"),
    ("class MyStr(str):\n    def __eq__(self, other):\n        return True\n"
     "def output_error(O, T):\n    return MyStr('x')", "got a MyStr"),
    ("class Liar(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(other), bool)\n"
     "    def __sub__(self, other):\n        return np.zeros(np.shape(other))\n    __rsub__ = __sub__\n"
     "def output_error(O, T):\n    return np.zeros(3).view(Liar)", "got a Liar"),
    ("def output_error(O, T):\n    return np.array([object()])", "got a array_of_object"),
    ("def output_error(O, T):\n    import os\n    os._exit(0)", "stopped the Python process"),
    ("def output_error(O, T):\n    while True:\n        pass", "time limit"),
    ("def output_error(O, T):\n    print('{\"returned\": 1}')\n    return O * (1 - O) * (T - O)", None),
])
def test_what_comes_back_is_data(answer, said):
    tests = {"test_output_error_hidden": assignments.TESTS["ch03_output_error"]["test_output_error_hidden"]}
    student = judge.Student(program("ch03_output_error", {"output_error": answer}), sandbox.worker_argv(),
                            call_timeout=3)
    try:
        assert student.start() is None
        verdict = {}
        for grade_id, test in tests.items():
            try:
                test(student, np.random.default_rng(1))
                verdict = {"passed": True}
            except judge.Failed as failure:
                verdict = {"passed": False, "message": str(failure)}
    finally:
        student.close()
    if said is None:
        assert verdict["passed"], verdict
    else:
        assert not verdict["passed"] and said in verdict["message"], verdict


# A student module that looks everywhere it can for the judge's values: the
# frames above its function, the objects gc knows, every module's globals,
# the files of the course. It reports what it found as data.
SNOOP = '''
import gc, sys, os
def snoop(O, T):
    found = {"frames": [], "arrays": 0, "modules": sorted(m for m in sys.modules
                                                         if m.startswith(("grader", "backprop"))),
             "path": list(sys.path), "environ": sorted(os.environ), "readable": []}
    frame = sys._getframe(1)
    while frame is not None:
        found["frames"].append(sorted(frame.f_locals))
        frame = frame.f_back
    found["arrays"] = sum(1 for o in gc.get_objects() if type(o).__name__ == "ndarray"
                          and o is not O and o is not T and getattr(o, "shape", None) == O.shape)
    for path in PATHS:
        try:
            open(path, "rb").read(1)
            found["readable"].append(path)
        except OSError:
            pass
    return found
'''


def test_the_judges_values_are_out_of_reach(tmp_path):
    secret = tmp_path / ".course_secret"
    judge.course_secret(secret)
    paths = [str(ROOT / "grader" / "assignments" / "ch03_output_error.py"), str(ROOT / "backprop" / "network.py"),
             str(ROOT / "solutions" / "ch03_output_error" / "ch03_output_error.ipynb"), str(secret),
             str(ROOT / "grader" / "judge.py")]
    student = judge.Student([("snoop", SNOOP.replace("PATHS", repr(paths)))], sandbox.worker_argv())
    try:
        assert student.start() is None
        O, T = np.full(3, 0.25), np.array([0.0, 1.0, 0.0])
        expected = O * (1 - O) * (T - O)  # held here, in the judge's process, during the call
        outcome = student.call("snoop", (O, T))
    finally:
        student.close()
    found = outcome.value
    assert found["readable"] == [], f"the worker could read {found['readable']}"
    assert found["modules"] == [], f"the worker imported {found['modules']}"
    # the course's own folders are not on the path (the environment may live inside it)
    assert not any(p.startswith(str(ROOT)) and "site-packages" not in p for p in found["path"]), found["path"]
    # what the sandbox sets, and what bubblewrap and Python add themselves (PWD, LC_CTYPE)
    assert set(found["environ"]) <= {"PATH", "HOME", "MPLCONFIGDIR", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "PWD", "LC_CTYPE"}, found["environ"]
    # the frames above the student's function are the worker's loop: the request, nothing expected
    assert not any("expected" in names or "reference" in names for names in found["frames"])
    assert found["arrays"] == 0, "an array of the expected shape exists in the worker besides the inputs"
    assert expected.shape == O.shape


def test_the_wire_rebuilds_exact_types_only():
    value = {"a": [1, 2.5, "s", None, True], "b": (np.arange(6, dtype=np.int32).reshape(2, 3),),
             "c": np.float64(0.5)}
    back = decode(encode(value))
    assert type(back["b"]) is tuple and type(back["b"][0]) is np.ndarray and back["b"][0].dtype == np.int32
    assert difference(back, value) is None

    class MyStr(str):
        pass

    assert isinstance(decode(encode(MyStr("x"))), Foreign) and repr(decode(encode(MyStr("x")))) == "a MyStr"
    assert repr(decode(encode(np.array(["a"])))).startswith("a array_of")
    for bad in [{"array": "object", "shape": [1], "data": ""}, {"array": "float64", "shape": [2], "data": "AA=="},
                {"array": "float64", "shape": [-1], "data": ""}, {"dict": [[1, 2]]}, {"eval": "x"}, [1, 2],
                {"list": [{"other": 3}]}]:
        with pytest.raises(WireError):
            decode(bad)
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(WireError):
        encode(deep)
    raw = base64.b64encode(np.arange(3.0).tobytes()).decode()
    assert decode({"array": "float64", "shape": [3], "data": raw}).tolist() == [0.0, 1.0, 2.0]


def test_hidden_cases_come_from_the_secret(tmp_path):
    secret = judge.course_secret(tmp_path / "s")
    assert judge.course_secret(tmp_path / "s") == secret and len(secret) == 64
    assert (tmp_path / "s").stat().st_mode & 0o077 == 0
    seed = judge.seed(secret, "ch03_output_error", "alice", "test_one_hot_hidden")
    assert seed == judge.seed(secret, "ch03_output_error", "alice", "test_one_hot_hidden")
    assert seed != judge.seed(secret, "ch03_output_error", "bob", "test_one_hot_hidden")
    assert seed != judge.seed(judge.course_secret(tmp_path / "t"), "ch03_output_error", "alice",
                              "test_one_hot_hidden")


def test_each_cell_gets_its_output_as_text():
    cells = [("a", "print('hello')\n40 + 2"), ("b", "def f():\n    return 1 / 0\nf()"),
             ("c", "print('x' * 50000)"), ("d", "%matplotlib inline\ny = 3\ny"), ("e", "def g(:\n    pass")]
    report = judge.judge(cells, {}, lambda grade_id: 0)
    a, b, c, d, e = report["outputs"]
    assert (a["stdout"], a["result"], a["error"]) == ("hello\n", "42", None)
    name, message, lines = b["error"]
    assert (name, message) == ("ZeroDivisionError", "division by zero")
    assert "return 1 / 0" in "\n".join(lines) and "worker.py" not in "\n".join(lines)
    assert len(c["stdout"]) < 21000 and "output truncated" in c["stdout"]
    assert d["result"] == "3" and d["error"] is None
    assert e["error"][0] == "SyntaxError"


# What a worker may use, tried from inside it.
LIMITS = '''
import os, subprocess
def limits():
    found = {"uid": os.getuid(), "capabilities": open("/proc/self/status").read().split("CapEff:")[1].split()[0]}
    children = []
    try:
        for _ in range(200):
            children.append(subprocess.Popen(["sleep", "5"]))
        found["processes"] = "unlimited"
    except OSError:
        found["processes"] = len(children)
    for child in children:
        child.kill()
    try:
        with open("/tmp/big", "wb") as out:
            for _ in range(200):
                out.write(b"x" * 2**20)
        found["tmp"] = "unlimited"
    except OSError as error:
        found["tmp"] = type(error).__name__
    return found
'''


@pytest.mark.skipif(sandbox.os.geteuid() != 0, reason="the worker's own user needs root to set up")
def test_the_sandbox_enforces_its_limits():
    student = judge.Student([("limits", LIMITS)], sandbox.worker_argv(sandbox.Limits(processes=16, tmp_mb=8)),
                            call_timeout=20)
    try:
        assert student.start() is None
        found = student.call("limits", ()).value
    finally:
        student.close()
    assert found["uid"] != 0 and found["capabilities"] == "0000000000000000", found
    assert isinstance(found["processes"], int) and found["processes"] < 16, found
    assert found["tmp"] == "OSError", found


TRANSPOSE_SLIP = "def hidden_error(O, err_next, W_next):\n    return O * (1 - O) * (err_next @ W_next)\n"


def test_one_slip_costs_the_marks_of_one_function():
    """A missing transpose in hidden_error fails hidden_error's tests by name;
    backward, built on it and right, passes: the judge lends its own hidden_error."""
    report = run("ch04_hidden_error", {"hidden_error": TRANSPOSE_SLIP})
    verdicts = report["tests"]
    assert verdicts["test_backward_example"]["passed"] and verdicts["test_backward_hidden"]["passed"]
    for grade_id in ("test_hidden_error_example", "test_hidden_error_hidden"):
        assert not verdicts[grade_id]["passed"]
        assert "without transposing" in verdicts[grade_id]["message"]


def test_a_visible_test_blames_the_function_at_fault():
    namespace = {"forward": sandbox.backprop.network.forward, "output_error": sandbox.backprop.network.output_error}
    exec("import numpy as np\n" + TRANSPOSE_SLIP
         + "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
         "    for k in range(len(network) - 1, 0, -1):\n"
         "        errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))\n    return errors\n",
         namespace)
    rng = np.random.default_rng(1)
    network = sandbox.backprop.network.init_network([2, 3, 2, 1], rng)
    outputs = namespace["forward"](np.array([0.5, -1.0]), network)
    expected = sandbox.backprop.network.backward(outputs, np.array([1.0]), network)
    # hidden_error fails on its own visible example (coursework/examples.txt): backward's test says so
    with pytest.raises(AssertionError, match=r"backward failed, and your hidden_error, which it calls, fails its own "
                                             r"visible test: fix hidden_error first"):
        check("backward", namespace["backward"], (outputs, np.array([1.0]), network), expected)
    # the visible test of hidden_error itself names the missing transpose on its non-square example,
    # from the values stored with the released notebooks: no formula of the catalogue is at hand
    said = []
    for example in coursework.check.examples()["examples"]["hidden_error"]:
        try:
            check("hidden_error", namespace["hidden_error"], decode(example["args"]), decode(example["expected"]))
        except AssertionError as failure:
            said.append(str(failure))
    assert any("without transposing" in message for message in said), said


def test_a_sandbox_gets_only_the_earlier_chapters_functions_its_exercise_imports():
    probe = ("import coursework.earlier as given\nnames = sorted(n for n in dir(given) if not n.startswith('_'))\n"
             "try:\n    from coursework.earlier import hidden_error\n    leaked = True\nexcept ImportError:\n"
             "    leaked = False\n"
             "import os\ncourse = sorted(os.path.join(d, f) for d, _, fs in os.walk('/course') for f in fs)\n")
    student = judge.Student([("probe", probe), ("ask", "def ask():\n    return names, leaked, course")],
                            argv("ch04_hidden_error"))
    try:
        assert student.start() is None
        names, leaked, course = student.call("ask", ()).value
    finally:
        student.close()
    assert not leaked and "forward" in names and "output_error" in names
    # the sandbox holds what a student receives (coursework/), and nothing else of the course
    assert course == sorted(f"/course/{name}" for name in coursework.files())
    assert not {"hidden_error", "backward", "update", "train"} & set(names)
    # what every solution imports is given to its sandbox, and no exercise is given what it grades
    for assignment, tests in assignments.TESTS.items():
        nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        given_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "given")
        imported = {alias.name for node in ast.walk(ast.parse(given_cell.source))
                    if isinstance(node, ast.ImportFrom) and node.module == "coursework.earlier" for alias in node.names}
        assert imported == set(assignments.GIVEN[assignment])
        graded = {t.function for t in tests.values() if hasattr(t, "function")}
        in_network = tuple(name for name in graded if hasattr(sandbox.backprop.network, name))
        if in_network:
            with pytest.raises(ValueError):
                sandbox.given_source(assignments.GIVEN[assignment] + in_network, graded)


def test_a_lent_function_answers_for_its_call_alone():
    """backward keeps the judge's hidden_error; called later, outside a call
    that lends it, it gets no answer from the judge."""
    cells = [("given", "import numpy as np\nfrom coursework.earlier import forward, output_error"),
             ("answer", TRANSPOSE_SLIP + "kept = []\n"
              "def backward(outputs, T, network):\n    kept.append(hidden_error)\n"
              "    return [hidden_error(outputs[1], output_error(outputs[2], T), network[1][0]),\n"
              "            output_error(outputs[2], T)]\n"
              "def oracle(O, err_next, W_next):\n    return kept[0](O, err_next, W_next)\n")]
    rng = np.random.default_rng(2)
    network = sandbox.backprop.network.init_network([2, 3, 1], rng)
    outputs = sandbox.backprop.network.forward(np.array([0.5, -1.0]), network)
    student = judge.Student(cells, argv("ch04_hidden_error"), call_timeout=5)
    try:
        assert student.start() is None
        lent = student.call("backward", (outputs, np.array([1.0]), network), given=("hidden_error",))
        assert difference(lent.value, sandbox.backprop.network.backward(outputs, np.array([1.0]), network)) is None
        later = student.call("oracle", (outputs[1], np.array([0.1]), network[1][0]))
        assert later.value is None and (later.raised or later.problem)
    finally:
        student.close()


@pytest.mark.parametrize("assignment", sorted(variants.OPTIONS))
def test_the_solution_solves_every_variant(assignment):
    for name, student_id in ids_by_variant(assignment).items():
        report = run(assignment, student_id=student_id)
        assert {g: v["message"] for g, v in report["tests"].items() if not v["passed"]} == {}, name


@pytest.mark.parametrize("assignment", sorted(variants.OPTIONS))
def test_a_notebook_solved_for_another_id_loses_those_marks(assignment):
    (mine, me), (theirs, them) = list(ids_by_variant(assignment).items())[:2]
    cells = program(assignment, for_student(them))  # their notebook, handed in as mine
    report = judge.judge(cells, assignments.TESTS[assignment], lambda grade_id: 7, argv(assignment),
                         assignment=assignment, student_id=me)
    per_variant = {g for g, t in assignments.TESTS[assignment].items() if getattr(t, "per_variant", False)}
    assert per_variant
    for grade_id, verdict in report["tests"].items():
        if grade_id in per_variant:
            assert not verdict["passed"]
            assert f'solves the variant "{theirs}", which is not yours' in verdict["message"]
            assert repr(me) in verdict["message"] and mine in verdict["message"]
        else:
            assert verdict["passed"], verdict["message"]


def test_a_mistake_is_named_only_where_it_explains_the_failing_cases():
    """judge.named: every failing case that can tell explained, the mistake is named; three of four,
    named with the count; one of seven (a coincidence), the first failure is reported plainly; a
    case where the mistaken code raises too, in other words, tells nothing."""
    sign = assignments.CATALOGUE[0]
    fits = sign.message

    def failing(said):
        return [(f"called with case {i}", f"difference {i}", [(sign, s)]) for i, s in enumerate(said)]

    assert judge.named("f", failing([True] * 4)) == f"f is wrong, called with case 0: {fits}\n\nDetails: difference 0"
    assert "(This explains 3 of the 4 failing cases;" in judge.named("f", failing([False, True, True, True]))
    assert judge.named("f", failing([False] * 5 + [True, False])) == "f is wrong, called with case 0:\ndifference 0"
    assert judge.named("f", failing([None, None, True])).endswith(f"case 2: {fits}\n\nDetails: difference 2")
    assert fits not in judge.named("f", failing([None, None]))
    assert judge.named_mistake(failing([False, True, True, True])) is sign
    assert judge.named_mistake(failing([False] * 5 + [True, False])) is None


def test_an_answer_wrong_in_another_way_is_not_told_a_mistake_it_merely_resembles():
    """A Lundy-Mees cooling_steps 3.5 times too large: not "one step too few" (ch13), which it matches
    on a case or two where the counts are small."""
    student_id = ids_by_variant("ch13_myths")["Lundy-Mees"]
    from grader.assignments import ch13_myths

    answer = ch13_myths.steps_source().replace("k = (1 / T_end - 1 / T0) / rate", "k = 3.5 * (1 / T_end - 1 / T0) / rate")
    tests = {"test_cooling_steps_hidden": assignments.TESTS["ch13_myths"]["test_cooling_steps_hidden"]}
    verdict = run("ch13_myths", {"cooling_steps": answer}, tests, student_id)["tests"]["test_cooling_steps_hidden"]
    assert not verdict["passed"]
    for mistake in ch13_myths.MISTAKES:
        assert mistake.message not in verdict["message"], verdict["message"]
