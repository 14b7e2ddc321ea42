"""What a class run reports: ``grades.csv``, the feedback pages of notebooks
that were not graded, and the progress line."""

import csv
import html
import sys
import time
from dataclasses import dataclass

COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "reason"]


@dataclass
class Row:
    """One row of grades.csv: a student's notebook of an assignment."""
    student: str
    assignment: str
    notebook: str
    score: object = ""
    max_score: object = ""
    status: str = "not graded"
    reason: str = ""


def shown(text):
    """``text`` with control and other unprintable characters escaped as
    Python writes them (``\\x1b``), for a terminal or a CSV file."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def write_grades(path, rows):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([shown(getattr(r, c)) for c in COLUMNS] for r in sorted(
            rows, key=lambda r: (r.student, r.assignment, r.notebook)))


def not_graded_page(row):
    """The feedback page of a notebook that was not graded: the reason, escaped."""
    notebook, assignment, reason = (html.escape(shown(text)) for text in (row.notebook, row.assignment, row.reason))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{notebook}: "
            f"not graded</title></head><body><h1>{assignment}: {notebook}"
            f"</h1><p>Your notebook was <strong>not graded</strong>: {reason}."
            f"</p><p>Your instructor has been told and will look at it.</p></body></html>\n")


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
        if self.tty:
            print(file=sys.stderr)
        graded = sum(r.status == "graded" for r in rows)
        print(f"{graded} of {len(rows)} notebooks graded; grades.csv and feedback/ written",
              file=sys.stderr)
        for r in rows:
            if r.status != "graded":
                print(f"  not graded: {shown(r.student)} {shown(r.assignment)} {shown(r.notebook)}: "
                      f"{shown(r.reason)}", file=sys.stderr)
