"""What a class run reports: ``grades.csv``, the feedback pages of notebooks
that were not graded, and the progress line.

Every CSV file the course writes goes through defusedcsv's writer: a cell
that a spreadsheet would read as a formula (one that begins with ``=``,
``+``, ``-``, ``@``, ``|`` or ``%`` and is not a number) gets a leading
``'``, so that an id or a reason a student chose never runs in an
instructor's spreadsheet (OWASP's CSV injection)."""

import html
import sys
import time
from dataclasses import dataclass

from coursework.variants import canonical_id
from defusedcsv import csv

from .mathml import typeset

# characters of one CSV cell: spreadsheet tools and Python's csv reader (field_size_limit 131,072)
# read every cell at this size; a longer reason is whole on the notebook's feedback page
CSV_CELL = 300
CUT = " [...]"

COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "late_by", "penalty", "status", "reason"]


@dataclass
class Row:
    """One row of grades.csv: a student's notebook of an assignment."""
    student: str
    assignment: str
    notebook: str
    score: object = ""
    max_score: object = ""
    late_by: object = ""   # hours after the due date (0 when on time or without one)
    penalty: object = ""   # points taken off for lateness (nbgrader's LateSubmissionPlugin)
    status: str = "not graded"
    reason: str = ""


def shown(text):
    """``text`` with control and other unprintable characters escaped as
    Python writes them (``\\x1b``), for a terminal or a CSV file."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def csv_cell(value):
    """``value`` as a CSV cell: ``shown``, then cut to ``CSV_CELL`` characters."""
    text = shown(value)
    return text if len(text) <= CSV_CELL else text[:CSV_CELL - len(CUT)] + CUT


def write_grades(path, rows):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([csv_cell(getattr(r, c)) for c in COLUMNS] for r in sorted(
            rows, key=lambda r: (r.student, r.assignment, r.notebook)))


def write_totals(path, rows):
    """What an LMS gradebook imports: one row per student, one column per
    assignment, the marks after any late penalty; where there is no mark, why:
    ``missing`` (nothing handed in), ``not graded`` (see grades.csv), or
    empty (the student has no row for that assignment, not in the roster)."""
    notebooks = [r for r in rows if r.notebook]
    assignments = sorted({r.assignment for r in notebooks})
    marks = {}  # (student, assignment) -> its notebooks' marks, or their status when there is none
    names = {}  # a student's canonical id -> the id as written, the first in sorted order
    for r in sorted(notebooks, key=lambda r: r.student):
        student = canonical_id(r.student)
        names.setdefault(student, r.student)
        marks.setdefault((student, r.assignment), []).append(
            float(r.score) - float(r.penalty or 0) if r.status == "graded" else r.status)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *assignments])
        for student in sorted(names):
            writer.writerow([csv_cell(names[student]), *[_total(marks.get((student, a), [])) for a in assignments]])


def _total(marks):
    if not marks:
        return ""
    for status in ("not graded", "missing"):
        if status in marks:
            return status
    return f"{sum(marks):g}"


def not_graded_page(row):
    """The feedback page of a notebook that was not graded: the reason, escaped."""
    return _short_page(row, f"<p>Your notebook was <strong>not graded</strong>: {html.escape(shown(row.reason))}."
                            f"</p><p>Your instructor has been told and will look at it.</p>")


def verdicts_page(row, tests, size, limit):
    """The feedback page of a graded notebook whose own page (``size`` bytes) is over ``limit``:
    its marks and the tests' verdicts, without the notebook's code."""
    return _short_page(row, f"<p>Your notebook was graded: <strong>{html.escape(shown(row.score))} of "
                            f"{html.escape(shown(row.max_score))}</strong> points. The page that shows your "
                            f"code with the results would be {size / 2**20:.1f} MB, over the limit of "
                            f"{limit / 2**20:g} MB, so only the tests' verdicts are here.</p>" + diagnosis(tests))


def _short_page(row, body):
    notebook, assignment = (html.escape(shown(text)) for text in (row.notebook, row.assignment))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{POLICY}\"><title>{notebook}: "
            f"{assignment}</title></head><body><h1>{assignment}: {notebook}</h1>{body}</body></html>\n")


# no script at all (math is MathML, written with the page), no event handler, nothing from the network
POLICY = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline' file: 'self'; "
          "font-src file: 'self' data:; img-src file: 'self' data:")


def offline_page(page, tests=None):
    """nbgrader's feedback page with a Content-Security-Policy first in its
    head, without the CDN's MathJax it loads, its math as MathML
    (``mathml.typeset``), and the judge's verdict on each test (``tests``,
    {grade_id: verdict}) first in its body: a page that stands alone."""
    start, end = page.index("<!-- Load mathjax -->"), page.index("<!-- End of mathjax configuration -->")
    head = page.index("<head>") + len("<head>")
    body = page.index(">", page.index("<body")) + 1
    return (page[:head] + f'\n<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            + page[head:start] + page[end:body] + diagnosis(tests or {}) + typeset(page[body:]))


def diagnosis(tests):
    """The verdicts, failed tests first, each message whole and wrapped."""
    items = [f"<li><strong>{html.escape(grade_id)}</strong>: "
             + ("passed" if verdict["passed"] else
                f"<pre style='white-space: pre-wrap'>{html.escape(verdict['message'])}</pre>") + "</li>"
             for grade_id, verdict in sorted(tests.items(), key=lambda item: item[1]["passed"])]
    if not items:
        return ""
    return ("<div style='max-width: 60em; margin: 1em auto; padding: 0 1em'><h2>What the tests found</h2><ul>"
            + "".join(items) + "</ul></div>\n")


class Progress:
    """A one-line progress bar on a terminal, a line per submission otherwise."""

    def __init__(self, total):
        self.total, self.count, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, rows):
        self.count += 1
        missing = sum(r.status != "graded" for r in rows)
        width = 30
        bar = "#" * (width * self.count // max(self.total, 1))
        line = (f"grading [{bar:<{width}}] {self.count}/{self.total} submissions, "
                f"{missing} notebooks not graded, {time.monotonic() - self.start:.0f} s")
        print("\r" + line if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def done(self, rows):
        """The run's summary: how many notebooks were graded, not graded (each with
        its reason), missing from students of the roster, and late (with penalties)."""
        if self.tty:
            print(file=sys.stderr)
        late = [r for r in rows if r.status == "graded" and float(r.late_by or 0) > 0]
        counts = {status: sum(r.status == status for r in rows) for status in ("graded", "not graded", "missing")}
        print(f"{counts['graded']} of {len(rows)} notebooks graded, {counts['not graded']} not graded, "
              f"{counts['missing']} missing, {len(late)} late; grades.csv and feedback/ written", file=sys.stderr)
        for r in rows:
            what = shown(f"{r.student} {r.assignment} {r.notebook}".strip())
            if r.status == "not graded":
                print(f"  not graded: {what}: {shown(r.reason)}", file=sys.stderr)
            elif r.status == "missing":
                print(f"  missing: {what}", file=sys.stderr)
        for r in late:
            print(f"  late: {shown(f'{r.student} {r.assignment} {r.notebook}')} by {float(r.late_by):g} h, "
                  f"{float(r.penalty or 0):g} points off", file=sys.stderr)
