"""Pairs of students whose answers are near-identical, for the instructor
to look at: ``similarity/<assignment>.csv``, written by ``make grade``.
It is a list of pairs to read side by side. It gives no mark and takes
none away.

Only answer cells count (nbgrader's ``solution: true`` cells of the
release, code or markdown). A code cell becomes a stream of Python tokens
(``tokenize``) with the comments, blank lines, indentation, line breaks
and docstrings dropped. Every name that is neither a keyword nor a builtin
nor an attribute (``np.zeros`` keeps ``zeros``) is replaced by ``_0``,
``_1``, ... in the order it first appears, and strings and numbers are
written one way (``'a'`` and ``"a"`` are the same, so are ``1.`` and
``1.0``). Renaming variables, reformatting and re-commenting a copy
therefore changes nothing. Markdown cells become their words, lowercased.
Every line that the released cell already holds (the ``def`` line of the
stub, ``raise NotImplementedError()``) is dropped as well, so what is left
is the student's own text, and a cell left as released is left out.

The score of two students is ``2 * M / (a + b)`` over the answer cells both
answered, where ``a`` and ``b`` are their numbers of tokens there and ``M``
the tokens they have in common, cell by cell, in the same order (the
length of the longest common subsequence, computed by RapidFuzz, which
nbgrader already requires). It is 1 for answers that differ only as above
and falls as either adds, removes or reorders code. It is the ratio that
Python's ``difflib`` estimates, computed exactly. The cost is small:
about 1.5 s for 300 students and under 10 s for 1000 (half a million
pairs) on answers of 400 tokens, most of it in ``tokenize``. (copydetect,
a MOSS-like tool on PyPI, was weighed and not taken: it reads files, draws
with matplotlib, needs tqdm, and writes every name as the same symbol, so
``a - b`` and ``b - a`` look alike.)

A short correct answer looks like every other one, and like the course's
own solution, so a pair is reported only when the score is at least
``THRESHOLD`` and each of the two wrote at least ``MIN_TOKENS`` tokens of
their own in the cells compared, and not when both handed in the course's
own solution (``solutions/``), each scoring at least ``THRESHOLD`` against
it. ``reference_score`` is the lower of the two students' scores against
that solution.

The columns: ``student_a`` and ``student_b`` (in alphabetical order),
``score``, ``cells`` (the grade ids of the answer cells compared),
``tokens`` (the smaller of the two students' counts of their own tokens in
those cells) and ``reference_score``. The most similar pairs come first.
"""

import ast
import builtins
import functools
import io
import json
import keyword
import os
import sys
import tokenize
import traceback
from pathlib import Path

import numpy as np
from defusedcsv import csv  # formulas neutralised (report.py)
from rapidfuzz.distance import LCSseq
from rapidfuzz.process import cdist

from .report import csv_cell, shown

THRESHOLD = 0.9
MIN_TOKENS = 50
COLUMNS = ["student_a", "student_b", "score", "cells", "tokens", "reference_score"]
KEPT = frozenset(keyword.kwlist) | frozenset(dir(builtins))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
# string tokens (Python 3.12 splits an f-string into several)
STRINGS = {tokenize.STRING} | {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                               if hasattr(tokenize, n)}
STUB = {("raise", "NotImplementedError"), ("raise", "NotImplementedError", "(", ")")}


def code_lines(source):
    """The logical lines of Python source, each a tuple of normalised tokens
    (see the module's docstring). Source that does not tokenize to the end
    (an unclosed bracket or string, a magic) gives the lines it has so far."""
    names, lines, line, strings = {}, [], [], True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text = token.type, token.string
            if kind in SKIPPED or (kind == tokenize.ERRORTOKEN and not text.strip()):
                continue
            if kind == tokenize.NEWLINE:
                if not strings:  # a line of strings alone is a docstring, or does nothing
                    lines.append(tuple(line))
                line, strings = [], True
                continue
            strings = strings and kind in STRINGS
            if kind == tokenize.NAME and text not in KEPT and not (line and line[-1] == "."):
                text = names.setdefault(text, f"_{len(names)}")
            elif kind in (tokenize.STRING, tokenize.NUMBER):
                text = _literal(text)
            line.append(text)
    except (tokenize.TokenError, SyntaxError):
        pass
    if line and not strings:
        lines.append(tuple(line))
    return lines


@functools.lru_cache(maxsize=4096)
def _literal(text):
    """A string or number written one way: 'a' and "a", 1. and 1.0."""
    try:
        return repr(ast.literal_eval(text))
    except Exception:  # an f-string: as written
        return text


def markdown_lines(source):
    return [t for t in (tuple(line.lower().split()) for line in source.splitlines()) if t]


def _source(cell):
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _grade_id(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None


def _lines(kind, source):
    return code_lines(source) if kind == "code" else markdown_lines(source)


def answer_cells(release):
    """{grade_id: (cell type, the released cell's normalised lines)} of a
    released notebook's answer cells."""
    cells = {}
    for cell in release.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.get("cell_type") in ("code", "markdown") and _source(cell) is not None:
            cells.setdefault(meta["grade_id"], (cell["cell_type"], _lines(cell["cell_type"], _source(cell))))
    return cells


def own_tokens(nb, answers):
    """{grade_id: tokens} of a submission: the normalised tokens of each
    answer cell (the first cell with its grade id and type) without the
    lines of the released cell; an answer left as released has none. A
    notebook that is not one has no answers."""
    found = {}
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        grade_id = _grade_id(cell)
        if grade_id not in answers or grade_id in found or cell.get("cell_type") != answers[grade_id][0]:
            continue
        source = _source(cell)
        if source is None:
            continue
        released = set(answers[grade_id][1]) | STUB
        found[grade_id] = [t for line in _lines(answers[grade_id][0], source) if line not in released for t in line]
    return {grade_id: tokens for grade_id, tokens in found.items() if tokens}


def similar_pairs(submissions, release, reference=None, threshold=THRESHOLD, min_tokens=MIN_TOKENS):
    """The pairs of students to look at, most similar first: dicts with the
    keys of COLUMNS. ``submissions``: {student: {notebook name: notebook}},
    ``release``: {notebook name: released notebook}, ``reference``:
    {notebook name: the source notebook with the solutions}, or None.
    A notebook is a dict as nbformat reads it (or as json does)."""
    students = sorted(submissions)
    answers = {name: answer_cells(nb) for name, nb in release.items()}
    streams = {}  # (notebook, grade_id) -> one token list per student, and the reference's last
    for row, notebooks in enumerate([*(submissions[s] for s in students), reference or {}]):
        for name, cells in answers.items():
            nb = notebooks.get(name) if isinstance(notebooks, dict) else None
            for grade_id, tokens in own_tokens(nb or {}, cells).items():
                if (name, grade_id) not in streams:
                    streams[name, grade_id] = [[] for _ in range(len(students) + 1)]
                streams[name, grade_id][row] = tokens
    vocabulary = {}
    n = len(students) + 1
    common, total, own, compared = (np.zeros((n, n), dtype=np.int32) for _ in range(4))
    answered = {}
    for key, per_student in sorted(streams.items()):
        rows = np.array([i for i, tokens in enumerate(per_student) if tokens])
        coded = [[vocabulary.setdefault(t, len(vocabulary)) for t in per_student[i]] for i in rows]
        lengths = np.array([len(tokens) for tokens in coded])
        block = np.ix_(rows, rows)
        common[block] += cdist(coded, coded, scorer=LCSseq.similarity, dtype=np.int32)
        total[block] += lengths[:, None] + lengths[None, :]
        own[block] += lengths[:, None]
        compared[block] += 1
        answered[key] = set(rows.tolist())
    score = 2 * common / np.maximum(total, 1)
    tokens = np.minimum(own, own.T)
    ref = n - 1
    # two students who both handed in the course's own solution copied it, not each other
    both_the_reference = np.minimum(score[:, ref][:, None], score[:, ref][None, :]) >= THRESHOLD \
        if reference else np.zeros_like(score, dtype=bool)
    a, b = np.nonzero(np.triu((score >= threshold) & (tokens >= min_tokens) & (compared > 0)
                              & ~both_the_reference, k=1)[:ref, :ref])
    pairs = []
    for i, j in zip(a.tolist(), b.tolist()):
        cells = [grade_id if len(answers) == 1 else f"{name}:{grade_id}"
                 for (name, grade_id), rows in sorted(answered.items()) if i in rows and j in rows]
        pairs.append({"student_a": students[i], "student_b": students[j], "score": round(float(score[i, j]), 3),
                      "cells": " ".join(cells), "tokens": int(tokens[i, j]),
                      "reference_score": round(float(min(score[i, ref], score[j, ref])), 3)
                      if reference else ""})
    return sorted(pairs, key=lambda p: (-p["score"], p["student_a"], p["student_b"]))


def write_csv(path, pairs):
    """The pairs as CSV, written aside and moved into place, so that a
    reader sees the previous file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([csv_cell(p[c]) for c in COLUMNS] for p in pairs)
    os.replace(partial, path)


def _read(path):
    try:
        return json.loads(Path(path).read_text())
    except Exception:  # not graded either: nothing to compare
        return None


def _notebooks(folder):
    return {p.name: _read(p) for p in sorted(Path(folder).glob("*.ipynb"))}


def write_reports(root, work, assignments):
    """``similarity/<assignment>.csv`` at the course root after a
    ``make grade`` run, from what the run left under ``work`` (``_grading``):
    each student's notebooks as staged for grading (what passed intake, at
    ``jobs/<assignment>/<student>/submitted/<student>/<assignment>/``) and the
    release nbgrader made of ``solutions/`` (``templates/<assignment>/exercises/<assignment>/``,
    else the course's ``exercises/<assignment>/``). A report that fails is
    said on stderr and never stops the run."""
    root, work = Path(root), Path(work)
    for assignment in assignments:
        try:
            release = work / "templates" / assignment / "exercises" / assignment
            if not any(release.glob("*.ipynb")):
                release = root / "exercises" / assignment
            submissions = {}
            for job in sorted((work / "jobs" / assignment).glob("*")):
                inbox = job / "submitted" / job.name / assignment
                if inbox.is_dir():
                    submissions[job.name] = _notebooks(inbox)
            pairs = similar_pairs(submissions, _notebooks(release), _notebooks(root / "solutions" / assignment))
            write_csv(root / "similarity" / f"{assignment}.csv", pairs)
            print(f"similarity/{shown(assignment)}.csv: {len(pairs)} pair{'' if len(pairs) == 1 else 's'} of "
                  f"students with near-identical answers, for you to look at", file=sys.stderr)
        except Exception:
            print(f"make grade: no similarity report for {shown(assignment)}:\n{traceback.format_exc()}",
                  file=sys.stderr)
