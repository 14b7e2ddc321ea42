"""What a student's text can do on the trusted side (issue 24, in part):

- every CSV file `make grade` writes (grades.csv, grades_by_student.csv,
  similarity/*.csv) is safe to open in a spreadsheet: a cell a student chose
  that would be read as a formula starts with a quote, and numbers stay
  numbers (OWASP's CSV injection; grader/report.py);
- text with lone surrogates is written as its escape, where nbgrader and
  the CSV files would fail on it;
- an array header whose dimensions overflow is a wire error, which the
  judge reports as that call's wrong answer."""

import csv

import pytest

from grader import similarity
from grader.report import Row, write_grades, write_totals

FORMULAS = ["=HYPERLINK(\"http://example.com\",\"x\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
            "|calc", "%0A"]


def cells(path):
    with open(path, newline="") as f:
        return [cell for row in list(csv.reader(f))[1:] for cell in row]


def formula_safe(cell):
    return not cell or cell[0] not in "=+-@|%" or cell.lstrip("-").replace(".", "", 1).isdigit()


@pytest.mark.parametrize("text", FORMULAS)
def test_grades_and_totals_neutralise_formulas(tmp_path, text):
    rows = [Row(text, "ch03_output_error", "ch03_output_error", 18.0, 18, 0, 0, "graded", text),
            Row("alice", "ch03_output_error", "ch03_output_error", 6.5, 18, 2.5, -1.0, "graded", "")]
    write_grades(tmp_path / "grades.csv", rows)
    write_totals(tmp_path / "totals.csv", rows)
    for name in ("grades.csv", "totals.csv"):
        found = cells(tmp_path / name)
        assert all(formula_safe(c) for c in found), found
        assert f"'{text}" in found or f"'{text.replace('|', chr(92) + '|')}" in found, found
    grades = cells(tmp_path / "grades.csv")
    assert "-1.0" in grades and "2.5" in grades, "a number must stay a number"


@pytest.mark.parametrize("text", FORMULAS)
def test_similarity_pairs_neutralise_formulas(tmp_path, text):
    pair = {"student_a": text, "student_b": "bob", "score": 0.97, "cells": "net_input", "tokens": 40,
            "reference_score": 0.5}
    similarity.write_csv(tmp_path / "pairs.csv", [pair])
    found = cells(tmp_path / "pairs.csv")
    assert all(formula_safe(c) for c in found) and found[0].startswith("'"), found
    assert "0.97" in found


def test_text_with_lone_surrogates_can_be_written():
    """A student's code can print a lone surrogate or raise with one in its message; nbgrader cannot
    write such text, so the judge's cells hold its escape instead (grader/preprocessors/judge_tests.py)."""
    import nbformat

    from grader.preprocessors.judge_tests import cell_outputs, verdict_output

    outputs = cell_outputs({"stdout": "a\ud800b", "stderr": "\udfff", "result": "'\ud83d'",
                            "error": ["ValueError", "bad \udc80", ["line \udc80"]]})
    outputs.append(verdict_output({"passed": False, "message": "your f raised ValueError: \ud800"}))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass", outputs=outputs)])
    text = nbformat.writes(nb)
    text.encode("utf-8")  # what nbgrader does when it writes the notebook
    assert "\\\\ud800" in text and "\\\\udc80" in text


def test_a_reason_with_a_lone_surrogate_is_written_escaped(tmp_path):
    write_grades(tmp_path / "grades.csv", [Row("s\ud800", "a", "a", reason="raised \udc80")])
    found = cells(tmp_path / "grades.csv")
    assert "s\\ud800" in found and "raised \\udc80" in found


@pytest.mark.parametrize("shape", [[2**63, 2**63], [2**64], [2**40, 2**40, 2**40]])
def test_an_array_header_whose_size_overflows_is_a_wire_error(shape):
    from coursework.wire import WireError, decode

    with pytest.raises(WireError):
        decode({"array": "float64", "shape": shape, "data": ""})
