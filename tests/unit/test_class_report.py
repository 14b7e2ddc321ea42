"""report.html from hand-made rows and verdicts (grader/class_report.py): the counts, the
mistakes counted by student, the links to the chapters, escaping, and a page that does not
grow with the class. The report of a real run is checked in test_grade_class.py."""

import html.parser
import re

from grader import class_report
from grader.assignments import SECTIONS
from grader.report import Row

A = "ch03_output_error"
SECTIONS_A = {A: SECTIONS[A]}
FUNCTIONS = {"test_output_error_example": "output_error", "test_output_error_hidden": "output_error",
             "test_one_hot_example": "one_hot", "test_one_hot_hidden": "one_hot"}


def verdicts(student, **failed):
    """A record of ``student``'s notebook: every test passed but those of ``failed``
    ({grade_id: [mistake names of output_error]} or "solves")."""
    tests = {}
    for grade_id in FUNCTIONS:
        said = failed.get(grade_id)
        if said is None:
            tests[grade_id] = {"passed": True, "message": ""}
        elif said == "solves":
            tests[grade_id] = {"passed": False, "message": "...", "solves": "another"}
        else:
            tests[grade_id] = {"passed": False, "message": "...",
                               "mistakes": [{"function": FUNCTIONS[grade_id], "name": n} for n in said]}
    return class_report.verdict_record(student, A, A, tests, FUNCTIONS)


def rows():
    graded = [Row(f"s{k}", A, A, score=18.0 if k < 3 else 6.0, max_score=18.0, late_by=0.0, penalty=0.0,
                  status="graded") for k in range(6)]
    graded.append(Row("late", A, A, score=18.0, max_score=18.0, late_by=5.5, penalty=18.0, status="graded"))
    return graded + [
        Row("t1", A, A, max_score=18.0, reason="timed out: the notebook ran past its limit of 30 s"),
        Row("t2", A, A, max_score=18.0, reason="timed out: the notebook ran past its limit of 30 s"),
        Row("<b>x</b>", A, A, max_score=18.0, reason="corrupt file: <script>alert(1)</script>.ipynb is not"),
        Row("gone", A, A, max_score=18.0, status="missing", reason="nothing handed in"),
        Row("odd", "", "", reason="submitted/odd is a file, where a folder of assignments belongs"),
        Row("odd", "ch99_nothing", "", reason="there is no assignment ch99_nothing in solutions/")]


def records():
    sign = "sign flipped (O - T)"
    return [verdicts("s0"), verdicts("s1"), verdicts("s2"), verdicts("late"),
            # two tests name one mistake: one student
            verdicts("s3", test_output_error_example=[sign], test_output_error_hidden=[sign]),
            # the example names it, the hidden test names none: still that mistake, not "another way"
            verdicts("s4", test_output_error_example=[sign], test_output_error_hidden=[]),
            verdicts("s5", test_output_error_hidden=[], test_one_hot_example="solves")]


class Page(html.parser.HTMLParser):
    """The tags, attributes and text of a page."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_counts_are_those_of_the_rows_and_mistakes_are_counted_by_student():
    found = class_report.summary(rows(), records(), SECTIONS_A)
    a = found[A]
    assert (a["graded"], a["not graded"], a["missing"], a["late"], a["penalty"]) == (7, 3, 1, 1, 18.0)
    assert a["reasons"] == [["timed out", ["t1", "t2"]], ["corrupt file", ["<b>x</b>"]]]
    assert a["marks"] == {"marks": [0.0, 6.0, 6.0, 6.0, 18.0, 18.0, 18.0], "max": 18.0}  # late: after its penalty
    output_error, one_hot = a["functions"]
    assert output_error["function"] == "output_error" and output_error["section"] == SECTIONS[A]["output_error"]
    assert (output_error["judged"], output_error["passed"], output_error["other"]) == (7, 4, 1)  # s5: another way
    assert output_error["mistakes"] == [("sign flipped (O - T)", 2)]
    assert (one_hot["passed"], one_hot["solves"], one_hot["other"], one_hot["mistakes"]) == (6, 1, 0, [])
    assert found[None] == {"count": 2, "entries": ["submitted/odd", "submitted/odd/ch99_nothing"]}


def test_the_page_links_the_chapters_escapes_everything_and_runs_nothing():
    text = class_report.page(rows(), records(), SECTIONS_A, site="https://course.example/site/")
    page = Page(text)
    assert not [tag for tag, _ in page.tags if tag in ("script", "iframe", "object", "embed", "link")]
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert "<script>alert" not in text and "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    policy = next(attrs["content"] for tag, attrs in page.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "script" not in policy
    links = {attrs["href"] for tag, attrs in page.tags if tag == "a"}
    assert f"https://course.example/site/book/{A}.html#{SECTIONS[A]['output_error']}" in links
    assert all(href.startswith(("#", "https://course.example/site/book/")) for href in links), links
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/svg+xml;base64,") and images[0]["alt"]
    counts = dict(re.findall(r"<tr data-status='([a-z ]+)'><th>[a-z ]+</th><td class='n'>(\d+)</td>", text))
    assert counts == {"graded": "7", "not graded": "3", "missing": "1", "late": "1"}
    assert "2 entries of <code>submitted/</code> name no assignment" in text


def test_the_same_data_give_the_same_page():
    assert class_report.page(rows(), records(), SECTIONS_A) == class_report.page(rows(), records()[::-1], SECTIONS_A)


def test_a_class_of_thousands_makes_a_page_of_the_same_size():
    """No list on the page grows with the class: students and reasons are cut at MOST, the rest counted."""
    def sized(n):
        many = [Row(f"student{k:05d}", A, A, score=float(k % 19), max_score=18.0, late_by=1.0, penalty=0.0,
                    status="graded") for k in range(n)]
        many += [Row(f"broken{k:05d}", A, A, max_score=18.0, reason=f"reason number {k}: details") for k in range(n)]
        return class_report.page(many, [verdicts(f"student{k:05d}") for k in range(n)], SECTIONS_A)

    small, large = sized(20), sized(3000)
    assert len(large) < len(small) + 2000, (len(small), len(large))  # the plot's tick labels alone differ
    assert "and 2990 more" in large and "and 2990 other reasons" in large


def test_every_graded_function_links_to_a_section_of_its_chapter():
    """grader.assignments.SECTIONS: each graded function of each assignment has the MyST label of a
    section of its own chapter (book/<assignment>.md), where report.html links its mistakes;
    test_book checks that the built page has the anchor."""
    from conftest import ROOT
    from grader.assignments import TESTS

    for assignment, tests in TESTS.items():
        functions = {t.function for t in tests.values() if getattr(t, "function", None)}
        assert set(SECTIONS[assignment]) == functions, assignment
        chapter = (ROOT / "book" / f"{assignment}.md").read_text()
        for function, label in SECTIONS[assignment].items():
            assert re.search(rf"(?m)^\({re.escape(label)}\)=$", chapter), (assignment, function, label)
