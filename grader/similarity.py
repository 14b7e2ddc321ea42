"""Pairs of students whose code is near-identical, for the instructor to
look at: ``similarity/<assignment>.csv``, written by ``make grade``. It is a
list of pairs to read side by side. It gives no mark and takes none away.

All the code a student wrote counts, since nbgrader runs and grades all of
it: the answer cells (nbgrader's ``solution: true`` cells of the release,
code or markdown) and every code cell of the student's own, one added
anywhere in the notebook or one that ``class_run.repair`` made an ordinary
cell (its nbgrader metadata broken, unknown to the course, or a copy of an
earlier cell's). The course's cells do not count: its text, its given code
and its tests, which nbgrader puts back as released when it grades. A cell
with the grade id of one of them is the course's as ``repair`` has it: the
first such cell, unless it was changed and a later one holds the released
text.

A code cell becomes a stream of Python tokens (``tokenize``) with the
comments, blank lines, indentation, line breaks and docstrings dropped.
Every name that is neither a keyword nor a builtin nor an attribute
(``np.zeros`` keeps ``zeros``) is replaced by ``_0``, ``_1``, ... in the
order it first appears in its statement (a ``def`` with its body, an
assignment: each statement that is not inside another is numbered afresh,
so that code reads the same in one cell or split among several), and
strings and numbers are written one way (``'a'`` and ``"a"`` are the same,
so are ``1.`` and ``1.0``). Renaming variables, reformatting, re-commenting
and re-splitting a copy therefore changes nothing. Markdown cells become
their words, lowercased. Every line that the released cell already holds
(the ``def`` line of the stub, ``raise NotImplementedError()``) is dropped
from an answer. From a cell of the student's own, the lines of every
released answer cell are dropped so, and every line of any of the
release's code cells as written, names and all, whatever its strings hold
(its imports and tests, ``STUDENT_ID = "..."``). What is left is the
student's own text: a cell left as released, or a test pasted again, is
left out.

Two students are compared in two ways; a pair is listed when either finds
them alike, with the higher score of the ways that do:

* answer cell by answer cell: the score is ``2 * M / (a + b)`` over the
  answer cells both answered, where ``a`` and ``b`` are their numbers of
  tokens there and ``M`` the tokens they have in common, cell by cell, in
  the same order (the length of the longest common subsequence, computed
  by RapidFuzz, which nbgrader already requires). A copy in the answer
  cells is found however much else either wrote in cells of their own.
  ``cells`` gives the grade ids of the answer cells compared.
* all their own code in a notebook as one stream: the answer cells and
  the cells of their own together, in notebook order, the same ratio over
  the notebooks in which either of the two has code in cells of their own
  (for the others this would compare the answers again). This finds code
  written in added cells (two copies of a notebook whose answer cells are
  left as released and whose code sits in cells added below them) and
  code moved between answer cells and cells of one's own. Added cells are
  not matched up one by one between the two students: they are compared
  as a whole, with the answers, so splitting or merging cells changes
  nothing, and moving code changes its order, as reordering code does.
  ``cells`` then reads ``all own code: added cells``, then `` + `` and
  each grade id of the answers either wrote (``all own code: added cells
  + one_hot``), each after its notebook's name when the assignment has
  several: cut to fit a CSV cell, it still says what was compared.

The score is 1 for code that differs only as above and falls as either
adds, removes or reorders code. It is the ratio that Python's ``difflib``
estimates, computed exactly. The cost of a pair is that of RapidFuzz's
bit-parallel LCS, the product of the two lengths over 64, near-linear for a
few hundred tokens. Measured on one core (CPU time on a shared machine),
with answers of 400 tokens: about 0.6 s for 300 students and 3 s for 1000
(half a million pairs) when none has code outside the answer cells, as
before all own code was compared, most of it in ``tokenize``; 1 s for 300
and 6.5 s for 1000 when every one also tried their code in a cell of their
own (50 tokens), which the second way then compares for every pair; 2 s for
300 and 14 s for 1000 when every one wrote 400 tokens more in cells of
their own. Only the first ``MAX_TOKENS`` tokens of an answer, and of a
notebook's own code, are compared (20,000, 37 times the longest of the
course's solutions), so that a notebook of megabytes costs its
``tokenize``, linear, and not its square; lines dropped as the course's do
not count towards that limit. (copydetect, a MOSS-like tool on PyPI, was
weighed and not taken: it reads files, draws with matplotlib, needs tqdm,
and writes every name as the same symbol, so ``a - b`` and ``b - a`` look
alike.)

A short correct answer looks like every other one, and like the course's
own solution, so a pair is reported only when the score is at least
``THRESHOLD`` and each of the two wrote at least ``MIN_TOKENS`` tokens of
their own in what was compared, and not when both handed in the course's
own solution (``solutions/``), each scoring at least ``THRESHOLD`` against
it. A student's score against the solution is the higher of the two ways
(the solution's own code is its answers, in order), so one who pasted the
solution into cells of their own handed it in as much as one who wrote it
in the answer cells. ``reference_score`` is the lower of the two students'
scores against that solution.

The columns: ``student_a`` and ``student_b`` (in alphabetical order),
``score``, ``cells`` (what was compared, as above), ``tokens`` (the smaller
of the two students' counts of their own tokens in what was compared) and
``reference_score``. The most similar pairs come first.
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
# the tokens compared of an answer cell, and of a notebook's own code: 37 times the most the
# course's solutions have (533, chapter 6); what comes after is not compared, so that the
# cost of a pair is bounded whatever a notebook holds (see the module's docstring)
MAX_TOKENS = 20_000
COLUMNS = ["student_a", "student_b", "score", "cells", "tokens", "reference_score"]
KEPT = frozenset(keyword.kwlist) | frozenset(dir(builtins))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
# string tokens (Python 3.12 splits an f-string into several)
STRINGS = {tokenize.STRING} | {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                               if hasattr(tokenize, n)}
# a line that goes on the statement above it rather than starting one
CLAUSES = frozenset({"else", "elif", "except", "finally"})
STUB = {("raise", "NotImplementedError"), ("raise", "NotImplementedError", "(", ")")}
ADDED = "added cells"  # what the cells column calls the student's own cells
WHOLE = "all own code"  # and the second comparison, of all of a notebook's own code


def code_lines(source):
    """The logical lines of Python source, each a tuple of normalised tokens
    (see the module's docstring). Source that does not tokenize to the end
    (an unclosed bracket or string, a magic) gives the lines it has so far."""
    return [line for _, line in _code_lines(source)]


def _code_lines(source):
    """The logical lines of Python source, one by one, each as (its tokens
    with the names as written and every string as ``''``, its normalised
    tokens): a reader who stops early tokenizes no further."""
    names, written, line, strings, depth = {}, [], [], True, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text = token.type, token.string
            if kind in SKIPPED or (kind == tokenize.ERRORTOKEN and not text.strip()):
                depth += (kind == tokenize.INDENT) - (kind == tokenize.DEDENT)
                continue
            if kind == tokenize.NEWLINE:
                if not strings:  # a line of strings alone is a docstring, or does nothing
                    yield tuple(written), tuple(line)
                written, line, strings = [], [], True
                continue
            if not line and depth == 0 and text not in CLAUSES:
                names = {}  # a statement of the cell's own: its names are numbered afresh
            strings = strings and kind in STRINGS
            if kind in (tokenize.STRING, tokenize.NUMBER):
                text = _literal(text)
            written.append("''" if kind in STRINGS else text)
            if kind == tokenize.NAME and text not in KEPT and not (line and line[-1] == "."):
                text = names.setdefault(text, f"_{len(names)}")
            line.append(text)
    except (tokenize.TokenError, SyntaxError):
        pass
    if line and not strings:
        yield tuple(written), tuple(line)


def _first(lines, most=MAX_TOKENS):
    """The tokens of ``lines`` (an iterable of token tuples), the first
    ``most`` of them, read no further."""
    tokens = []
    for line in lines:
        tokens += line
        if len(tokens) >= most:
            return tokens[:most]
    return tokens


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
    source = cell.get("source", "") if isinstance(cell, dict) else None
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _grade_id(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _lines(kind, source):
    return code_lines(source) if kind == "code" else markdown_lines(source)


class Release:
    """What a released notebook says of the cells of a submission:
    ``answers``, {grade_id: (cell type, the released cell's normalised
    lines)} of its answer cells; ``course``, {grade_id: source} of its other
    nbgrader cells (text, given code, tests: the course's, which nbgrader
    puts back when it grades); ``lines``, every line of its code cells
    with the names as written and the strings blanked (``_code_lines``);
    ``stubs``, the normalised lines of its code answer cells as released."""

    def __init__(self, release):
        self.answers, self.course, self.lines, self.stubs = {}, {}, set(STUB), set(STUB)
        for cell in release.get("cells", []):
            meta, kind, source = cell.get("metadata", {}).get("nbgrader", {}), cell.get("cell_type"), _source(cell)
            if kind not in ("code", "markdown") or source is None:
                continue
            if kind == "code":
                self.lines.update(written for written, _ in _code_lines(source))
            if meta.get("solution"):
                self.answers.setdefault(meta["grade_id"], (kind, _lines(kind, source)))
                self.stubs.update(self.answers[meta["grade_id"]][1] if kind == "code" else [])
            elif meta.get("grade_id") is not None:
                self.course.setdefault(meta["grade_id"], source)


def own_tokens(nb, release):
    """What the student wrote in a submitted notebook: ({grade_id: tokens}
    of its answer cells, the tokens of all its own code in notebook order,
    whether any of those are in cells other than answer cells). A cell is
    an answer cell, or the course's, or the student's own as
    class_run.repair decides: the first cell with an answer's grade id and
    type is that answer; the first with the grade id of another of the
    course's cells is the course's, unless it was changed and a later cell
    holds the released text; every other cell (added, or with broken, unknown or
    repeated metadata) is the student's own. The lines of the released
    cell are left out of an answer; the lines of the released answer cells,
    and every line of the release's code cells as written (whatever its
    strings hold), out of the student's own cells. Each stream stops at
    MAX_TOKENS. A notebook that is not one has none."""
    answers, whole, added, seen = {}, [], False, set()
    cells = nb.get("cells") if isinstance(nb, dict) else None
    cells = cells if isinstance(cells, list) else []
    last = {_source(c): number for number, c in enumerate(cells)}  # where each text is held last
    for number, cell in enumerate(cells):
        source = _source(cell)
        kind, grade_id = cell.get("cell_type") if source is not None else None, _grade_id(cell)
        if kind not in ("code", "markdown"):
            continue
        if grade_id is not None and grade_id not in seen:
            if grade_id in release.answers and kind == release.answers[grade_id][0]:
                seen.add(grade_id)
                released = set(release.answers[grade_id][1]) | STUB
                lines = (line for _, line in _code_lines(source)) if kind == "code" else markdown_lines(source)
                answers[grade_id] = tokens = _first(line for line in lines if line not in released)
                whole += tokens[:MAX_TOKENS - len(whole)]
                continue
            text = release.course.get(grade_id)
            if text is not None and (source == text or last.get(text, -1) < number):  # no later cell holds it
                seen.add(grade_id)
                continue
        if kind == "code" and len(whole) < MAX_TOKENS:
            tokens = _first((line for written, line in _code_lines(source)
                             if written not in release.lines and line not in release.stubs), MAX_TOKENS - len(whole))
            whole += tokens
            added = added or bool(tokens)
    return {grade_id: tokens for grade_id, tokens in answers.items() if tokens}, whole, added


def _compare(streams, n, vocabulary, focus=None):
    """For every pair of the n rows, summed over the streams (key -> one
    token list per row) that both have: the score, the smaller of the two
    rows' numbers of tokens, the number of streams compared; and {key: the
    rows that have it}. With ``focus`` ({key: rows}), a stream is compared
    only for pairs of which one row is in ``focus[key]``."""
    common, total, own, compared = (np.zeros((n, n), dtype=np.int32) for _ in range(4))
    present = {}
    for key, per_row in sorted(streams.items()):
        rows = [i for i, tokens in enumerate(per_row) if tokens]
        present[key] = set(rows)
        first = rows if focus is None else [i for i in rows if i in focus[key]]
        rest = [] if focus is None else [i for i in rows if i not in focus[key]]
        coded = {i: [vocabulary.setdefault(t, len(vocabulary)) for t in per_row[i]] for i in rows} if first else {}
        lengths = {i: len(tokens) for i, tokens in coded.items()}
        for these, those in [(first, first), (first, rest)]:
            if not these or not those:
                continue
            a, b = np.array(these), np.array(those)
            # cdist computes half the matrix when given the same list twice
            found = cdist(*([[coded[i] for i in these]] * 2 if these is those else
                            [[coded[i] for i in these], [coded[i] for i in those]]),
                          scorer=LCSseq.similarity, dtype=np.int32)
            length_a, length_b = np.array([lengths[i] for i in these]), np.array([lengths[i] for i in those])
            for x, y, same, size_x, size_y in [(a, b, found, length_a, length_b), (b, a, found.T, length_b, length_a)]:
                block = np.ix_(x, y)
                common[block] += same
                total[block] += size_x[:, None] + size_y[None, :]
                own[block] += size_x[:, None]
                compared[block] += 1
                if these is those:
                    break
    return 2 * common / np.maximum(total, 1), np.minimum(own, own.T), compared, present


def similar_pairs(submissions, release, reference=None, threshold=THRESHOLD, min_tokens=MIN_TOKENS):
    """The pairs of students to look at, most similar first: dicts with the
    keys of COLUMNS. ``submissions``: {student: {notebook name: notebook}},
    ``release``: {notebook name: released notebook}, ``reference``:
    {notebook name: the source notebook with the solutions}, or None.
    A notebook is a dict as nbformat reads it (or as json does)."""
    students = sorted(submissions)
    releases = {name: Release(nb) for name, nb in release.items()}
    n = len(students) + 1  # the reference's row last
    answers = {}  # (notebook, grade_id) -> one token list per row
    whole = {}  # notebook -> one token list per row: all of the row's own code there
    added = {name: set() for name in releases}  # notebook -> the rows with code in cells of their own
    for row, notebooks in enumerate([*(submissions[s] for s in students), reference or {}]):
        for name, cells in releases.items():
            nb = notebooks.get(name) if isinstance(notebooks, dict) else None
            found, tokens, own = own_tokens(nb or {}, cells)
            for grade_id, answer in found.items():
                if (name, grade_id) not in answers:
                    answers[name, grade_id] = [[] for _ in range(n)]
                answers[name, grade_id][row] = answer
            if tokens:
                if name not in whole:
                    whole[name] = [[] for _ in range(n)]
                whole[name][row] = tokens
            if own:
                added[name].add(row)
    vocabulary = {}
    score, tokens, compared, answered = _compare(answers, n, vocabulary)
    # all their own code, as a whole, for the pairs in which one has code in cells of their own
    # (for the others it is the answers again)
    score_all, tokens_all, compared_all, _ = _compare(whole, n, vocabulary, focus=added)
    ref = n - 1
    # a student's score against the course's solution: the better of the two comparisons
    reference_score = np.maximum(score[:, ref], score_all[:, ref])
    # two students who both handed in the course's own solution copied it, not each other
    both_the_reference = np.minimum(reference_score[:, None], reference_score[None, :]) >= THRESHOLD \
        if reference else np.zeros((n, n), dtype=bool)
    by_cell = (score >= threshold) & (tokens >= min_tokens) & (compared > 0)
    as_a_whole = (score_all >= threshold) & (tokens_all >= min_tokens) & (compared_all > 0)
    a, b = np.nonzero(np.triu((by_cell | as_a_whole) & ~both_the_reference, k=1)[:ref, :ref])
    prefix = (lambda name: "") if len(releases) == 1 else (lambda name: f"{name}:")
    pairs = []
    for i, j in zip(a.tolist(), b.tolist()):
        if by_cell[i, j] and not (as_a_whole[i, j] and score_all[i, j] > score[i, j]):
            value, count = score[i, j], tokens[i, j]
            cells = " ".join(f"{prefix(name)}{grade_id}" for (name, grade_id), rows in sorted(answered.items())
                             if i in rows and j in rows)
        else:  # the notebooks' own code, each as a whole
            value, count = score_all[i, j], tokens_all[i, j]
            parts = []
            for name in sorted(whole):  # the notebooks compared so
                if whole[name][i] and whole[name][j] and {i, j} & added[name]:
                    parts += [f"{prefix(name)}{ADDED}"] + [
                        f"{prefix(name)}{grade_id}" for (other, grade_id), rows in sorted(answered.items())
                        if other == name and {i, j} & rows]
            cells = f"{WHOLE}: " + " + ".join(parts)
        pairs.append({"student_a": students[i], "student_b": students[j], "score": round(float(value), 3),
                      "cells": cells, "tokens": int(count),
                      "reference_score": round(float(min(reference_score[i], reference_score[j])), 3)
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
