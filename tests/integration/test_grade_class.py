"""`make grade` on awkward and hostile submissions, in the session's one run
of the synthetic class (the_class.py: its chapter 3 class), through the real
command (`python -m grader`, which runs nbgrader's autograde and
generate_feedback with the judge): each submission's expected marks and
status, one submission per known way of attacking an in-process grader
(each scores zero while the honest solution in the same run scores full
marks), the confinement of student code, that no submitted file changes,
and that a second run gives the same grades."""

import csv
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, assignments, run
from grader import assignments as grading
from test_assignments import page_text
from the_class import A, CONTROL_ID, FULL, HOSTILE, LATE, ODD_ENTRIES, PROBE, REGRADED, probe_paths, rows_of

ESCAPED_ID = CONTROL_ID.encode("unicode_escape").decode()


def rows(graded):
    """student -> row of chapter 3's class and the probe"""
    return {s: r for (s, a), r in graded.rows.items() if a == A and (s in HOSTILE or s == "probe")}


def test_grades_csv_has_a_row_per_student_and_notebook(graded_class):
    header = open(graded_class.course / "grades.csv").readline().strip()
    assert header == "student,assignment,notebook,score,max_score,late_by,penalty,status,reason"
    students = set(HOSTILE) | {"probe", ESCAPED_ID}
    found = {s for s, a in graded_class.rows if a == A} - {"file_for_folder"}
    assert students <= found
    assert all(r["notebook"] == A and float(r["max_score"]) == FULL
               for (student, a), r in graded_class.rows.items() if student in students and a == A)
    expected = {(s.student, s.assignment) for s in graded_class.common}
    assert expected <= set(graded_class.rows)


@pytest.mark.parametrize("entry", ODD_ENTRIES)
def test_an_odd_entry_gets_a_not_graded_row_and_spoils_nothing(graded_class, entry):
    row = graded_class.rows[entry]
    assert row["status"] == "not graded" and ODD_ENTRIES[entry] in row["reason"], row
    assert float(graded_class.rows["solution", A]["score"]) == FULL


def test_a_student_id_with_control_characters_is_escaped(graded_class):
    text = (graded_class.course / "grades.csv").read_text()
    assert "\x1b" not in text and ESCAPED_ID in text
    assert "\x1b" not in graded_class.run.stderr
    assert float(graded_class.rows[ESCAPED_ID, A]["score"]) == FULL


@pytest.mark.parametrize("student", HOSTILE)
def test_each_submission_gets_its_expected_mark_and_status(graded_class, student):
    _, status, score, reason = HOSTILE[student]
    row = rows(graded_class)[student]
    assert row["status"] == status, row
    assert (row["score"] == "") if score is None else float(row["score"]) == score, row
    assert reason in row["reason"], row
    page = graded_class.feedback(student, A)
    assert page.exists(), f"no feedback for {student}"
    if status == "not graded":
        assert "not graded" in page.read_text() and reason in page.read_text()


def test_feedback_never_shows_the_judges_cases_or_the_secret(graded_class):
    """Not the source of the hidden cases, not the course secret, on any
    feedback page of the class: neither is in any notebook or on any disk a
    sandbox sees, whatever a cell prints."""
    secret = (graded_class.course / ".course_secret").read_text().strip()
    case_lines = {line.strip() for path in (ROOT / "grader" / "assignments").glob("*.py")
                  for line in path.read_text().splitlines() if len(line.strip()) >= 25}
    pages = sorted((graded_class.course / "feedback").rglob("*.html"))
    handed_in = [r for r in graded_class.rows.values() if r["status"] != "missing"]
    assert len(pages) >= len(handed_in) - len(ODD_ENTRIES)
    assert "In" in page_text(graded_class.feedback("prints_hidden_source", A).read_text())
    for path in pages:
        page = page_text(path.read_text())
        assert secret not in page, f"{path} shows the course secret"
        # what the student wrote too (O, T = np.asarray(O, ...), ...) is theirs to show
        student, assignment = path.relative_to(graded_class.course / "feedback").parts[:2]
        own = " ".join(" ".join(readable_source(nb).split()) for nb in [
            *(graded_class.course / "submitted" / student / assignment).glob("*.ipynb"),
            ROOT / "solutions" / assignment / f"{assignment}.ipynb"])
        shown = [line for line in map(" ".join, map(str.split, case_lines)) if line in page and line not in own]
        assert not shown, f"{path} shows the judge's cases: {shown}"


def readable_source(path):
    """The text of a notebook's cells, or "" for a file that is not one."""
    try:
        return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    except Exception:
        return ""


def test_huge_output_is_cut(graded_class):
    page = graded_class.feedback("prints_megabytes", A)
    assert page.stat().st_size < 1_000_000 and "output truncated" in page.read_text()


def test_no_submitted_file_changes(graded_class):
    assert graded_class.unchanged == [True, True]


def test_a_part_of_the_class_graded_again_gives_the_same_grades_and_keeps_the_rest(graded_class):
    """`make grade ASSIGNMENT=A STUDENT=...` in a copy of the graded course: only the
    REGRADED students of chapter 3 are graded, and grades.csv and grades_by_student.csv
    are the first run's, byte for byte, the regraded rows and every other one."""
    assert f"make grade: {len(REGRADED)} submissions of 1 assignments" in graded_class.again.stderr
    assert len(list((graded_class.again_course / "_grading" / "jobs" / A).glob("*/usage.json"))) > len(REGRADED)
    for name in ("grades.csv", "grades_by_student.csv"):
        assert (graded_class.again_course / name).read_text() == (graded_class.course / name).read_text(), name
    regraded = {key: row for key, row in rows_of(graded_class.again_course).items() if key[0] in REGRADED}
    assert {r["status"] for r in regraded.values()} == {"graded", "not graded"}


def test_the_roster_counts(graded_class):
    """A student of the course's gradebook who handed nothing in has a row per notebook
    (status missing) and a line on the terminal; grades_by_student.csv says missing, not
    graded and zero apart; an id is one id whatever its case and spaces."""
    from the_class import SPELLED_OTHERWISE

    rows = graded_class.rows
    assert rows["roster_only", A]["status"] == "missing" and "nothing handed in" in rows["roster_only", A]["reason"]
    assert f"missing: roster_only {A} {A}" in graded_class.run.stderr
    assert float(rows[SPELLED_OTHERWISE, A]["score"]) == FULL and ("Grace", A) not in rows
    totals = {r["student"]: r for r in csv.DictReader(open(graded_class.course / "grades_by_student.csv"))}
    assert totals["roster_only"][A] == "missing" and totals["stub"][A] == "0"
    assert totals["corrupt"][A] == "not graded" and float(totals["solution"][A]) == FULL
    assert "untouched" in rows["stub", A]["reason"] and "untouched" not in rows["solution", A]["reason"]


def test_near_identical_answers_are_listed_for_the_instructor(graded_class):
    """similarity/<A>.csv pairs the two students of chapter 3's class whose
    answers differ only in names, comments and layout, and no one else of it:
    not the students who handed in the course's short solution, nor those
    whose answers are their own (hard_codes) or left as released."""
    found = list(csv.DictReader(open(graded_class.course / "similarity" / f"{A}.csv")))
    chapter_3 = set(HOSTILE) | set(LATE) | {"probe", "mallory", ESCAPED_ID}
    assert [(r["student_a"], r["student_b"], r["score"], r["cells"]) for r in found
            if {r["student_a"], r["student_b"]} & chapter_3] == [
        ("copies", "disguises_a_copy", "1.0", "one_hot output_error")]
    pairs = f"{len(found)} pair" + ("s" if len(found) > 1 else "")
    assert f"similarity/{A}.csv: {pairs} of" in graded_class.run.stderr


def test_progress_is_shown(graded_class):
    graded = sum(1 for (s, a), r in graded_class.rows.items() if (s, a) not in ODD_ENTRIES and r["status"] != "missing")
    assert f"{graded}/{graded} submissions" in graded_class.run.stderr


def test_probe_succeeds_unconfined(graded_class, tmp_path):
    """The probe itself works: run outside the sandbox, every attempt succeeds
    (so a refusal below is the sandbox's doing, and lifting it fails that test)."""
    paths = probe_paths(graded_class.course, graded_class.probe_url)
    paths["write"] = {label: str(tmp_path / f"{i}.bin") for i, label in enumerate(paths["write"])}
    namespace = {}
    exec(PROBE.format(paths=paths).replace('print("PROBE", found)', ""), namespace)
    assert set(namespace["found"].values()) == {"done"}, namespace["found"]


@pytest.mark.parametrize("attempt", ["solutions", "course gradebook", "job gradebook", "other student",
                                     "own submitted file", "course secret", "judge", "reference",
                                     "course root", "own submitted folder",
                                     "job folder", "network", "memory"])
def test_confined_code_is_refused(graded_class, attempt):
    probe = rows(graded_class)["probe"]
    assert probe["status"] == "graded" and float(probe["score"]) == FULL
    written = probe_paths(graded_class.course, graded_class.probe_url)["write"].get(attempt)
    if written:
        # a write may "succeed" into the sandbox's own empty /tmp (where this
        # test's course lives); what counts is that nothing reaches the disk
        assert not Path(written).exists(), f"the confined kernel wrote {written}"
    else:
        assert graded_class.probe()[attempt] == "refused"


def test_the_judge_has_a_test_for_every_test_cell_and_no_other():
    """Every test cell's points come from the judge: each assignment's grade
    cells are exactly the tests filed for it in grader/assignments/."""
    assert sorted(grading.TESTS) == assignments()
    for name in assignments():
        nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
        cells = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
        assert cells == set(grading.TESTS[name]), name


def test_every_csv_cell_is_bounded_and_formula_safe(graded_class):
    """grades.csv, grades_by_student.csv and similarity/*.csv: no cell longer than
    report.CSV_CELL, none a spreadsheet would run as a formula (the id FORMULA_ID
    is written quoted), and Python's csv reader reads them at its default limits."""
    from the_class import FORMULA_ID
    from grader.report import CSV_CELL

    paths = [graded_class.course / "grades.csv", graded_class.course / "grades_by_student.csv",
             *sorted((graded_class.course / "similarity").glob("*.csv"))]
    for path in paths:
        with open(path, newline="") as f:
            cells = [cell for row in list(csv.reader(f))[1:] for cell in row]
        assert cells or "similarity" in path.parts, path
        assert max(map(len, cells), default=0) <= CSV_CELL, path
        assert all(not c or c[0] not in "=+-@|%" or c.lstrip("-").replace(".", "", 1).isdigit() for c in cells), path
    assert float(graded_class.rows["'" + FORMULA_ID, A]["score"]) == FULL


def test_feedback_pages_stay_under_their_documented_size(graded_class):
    """A page holds the notebook's own cells, at most MAX_NOTEBOOK_OUTPUT characters of
    output and MAX_VERDICT per test, whatever the worker sent; none is over MAX_PAGE."""
    from grader.class_run import MAX_PAGE
    from grader.worker import MAX_OUTPUT

    pages = sorted((graded_class.course / "feedback").rglob("*.html"))
    assert max(p.stat().st_size for p in pages) <= MAX_PAGE
    for student in ("floods_type_names", "raises_megabytes", "prints_uncut"):
        assert graded_class.feedback(student, A).stat().st_size < 2**20, student
    uncut = graded_class.feedback("prints_uncut", A).read_text()  # the worker's own cuts switched off
    assert "truncated by the grader" in uncut and "y" * (MAX_OUTPUT + 1) not in uncut
    assert "\\ud800" in graded_class.feedback("prints_surrogates", A).read_text()
    flood = page_text(graded_class.feedback("floods_type_names", A).read_text())
    assert "type names in one message" in flood, flood[:3000]


def test_the_runs_own_cost_is_bounded(graded_class):
    """_grading/run.json, what the run says it cost: the make grade process reads
    no notebook (the grading children do, under their limits), so its CPU time
    and memory stay small; no grading child came near its memory cap."""
    import json

    usage = json.loads((graded_class.course / "_grading" / "run.json").read_text())
    assert usage["submissions"] > 150 and 0 < usage["children"]["count"] <= usage["submissions"]
    assert usage["cpu_seconds"] < 90, usage  # 36 s measured for this class of 181, the gradebook recorded
    assert usage["max_rss_mb"] < 1024 and usage["children"]["max_rss_mb"] < 1024, usage


def test_nbgraders_own_verbs_work_on_the_marks_of_make_grade(graded_class, tmp_path):
    """make grade records its marks in the course's gradebook.db and its autograded
    notebooks in autograded/, as nbgrader's autograde would: `nbgrader export` writes
    nbgrader_grades.csv (not over grades.csv) with the same scores, `nbgrader
    release_feedback` releases the pages, and `nbgrader generate_feedback` runs."""
    course = tmp_path / "course"
    shutil.copytree(graded_class.course, course, symlinks=True)
    ours = (course / "grades.csv").read_text()
    exported = run(["nbgrader", "export"], cwd=course)
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert (course / "grades.csv").read_text() == ours
    theirs = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(open(course / "nbgrader_grades.csv"))}
    # ids as written in the gradebook: those grades.csv writes otherwise (quoted or escaped) left out
    graded = {key: r for key, r in rows_of(course).items()
              if r["status"] == "graded" and key[0][:1].isalnum() and "\\" not in key[0]}
    assert len(graded) > 150
    for (student, assignment), row in graded.items():
        assert float(theirs[student, assignment]["score"]) == float(row["score"]) - float(row["penalty"] or 0), row
    not_graded = [key for key, r in rows_of(course).items() if r["status"] == "not graded" and key[1]]
    assert not_graded and all(float(theirs[key]["raw_score"]) == 0 for key in not_graded if key in theirs)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    released = run(["nbgrader", "release_feedback", A, f"--Exchange.root={exchange}"], cwd=course)
    assert released.returncode == 0, released.stderr[-2000:]
    pages = list((exchange / "backprop" / "feedback").glob("*.html"))
    assert len(pages) >= len([key for key in graded if key[1] == A]) > 20
    again = run(["nbgrader", "generate_feedback", A, "--force"], cwd=course)
    assert again.returncode == 0, again.stderr[-2000:]


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_shows_the_marks_of_make_grade(graded_class, chromium, tmp_path):
    """nbgrader's formgrader, served by `jupyter server` from the graded course and opened in
    Chromium as an instructor opens it: chapter 3's gradebook lists every submission make grade
    graded, each with its score in grades.csv, and a click on a student opens their notebook."""
    import os
    import signal
    import subprocess
    import time
    import urllib.request

    from conftest import BIN

    course = tmp_path / "course"
    shutil.copytree(graded_class.course, course, symlinks=True)
    port, token = free_port(), "formgrader-test"
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}"],
        cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        env=dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.5)
        # the token in a header, so that formgrader's own requests for its data carry it too
        context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                       extra_http_headers={"Authorization": f"token {token}"})
        page = context.new_page()
        page.goto(f"{base}/formgrader/gradebook/{A}/{A}")
        page.wait_for_selector("td.score", timeout=60_000)  # formgrader lists every row (no paging)
        shown = page.evaluate("""() => [...document.querySelectorAll('tbody tr')].map(tr =>
            [tr.querySelector('a.name-shown').textContent, tr.querySelector('.score').textContent])""")
        ours = {s: r for (s, a), r in rows_of(course).items() if a == A and r["status"] == "graded"}
        listed = dict(shown)
        plain = {s: r for s, r in ours.items() if s in listed}
        assert len(plain) > 30, (len(ours), shown[:5])
        for student, row in plain.items():
            score, max_score = (float(x) for x in listed[student].split(" / "))
            assert (score, max_score) == (float(row["score"]), FULL), (student, listed[student], row)
        # the names are hidden until revealed: click the row's "Submission #n" link
        href = next(a for a in page.eval_on_selector_all(
            "tbody tr", "trs => trs.map(tr => [tr.querySelector('a.name-shown').textContent,"
                        " tr.querySelector('a.name-hidden').getAttribute('href')])") if a[0] == "solution")[1]
        with page.expect_navigation():
            page.locator(f"a.name-hidden[href='{href}']").click()
        page.wait_for_selector(".cell", timeout=60_000)
        assert "output_error" in page.inner_text("body")
        context.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report_tables(text):
    """{assignment: ({status: count}, {function: {row label: count}})} as report.html shows them."""
    import html

    found = {}
    for name, section in re.findall(r"<section id='([^']+)'>(.*?)</section>", text, re.S):
        counts = {status: int(n) for status, n in re.findall(
            r"<tr data-status='([a-z ]+)'><th>[a-z ]+</th><td class='n'>(\d+)</td>", section)}
        tables = {function: {html.unescape(re.sub(r"<[^>]+>", "", label)): int(n) for label, n in re.findall(
            r"<tr class='[a-z]+'><td>(.*?)</td><td class='n'>(\d+)</td></tr>", body)}
            for function, body in re.findall(r"<table class='mistakes' data-function='([^']+)'>(.*?)</table>",
                                             section, re.S)}
        found[name] = (counts, tables)
    return found


def test_the_class_report_shows_the_numbers_of_grades_csv(graded_class):
    """report.html, written by the run: no script, each assignment's notebooks graded, not graded,
    missing and late as grades.csv counts them, and the entries of submitted/ that name no
    assignment counted apart."""
    text = (graded_class.course / "report.html").read_text()
    assert "<script" not in text.lower()
    assert not re.search(r"<[^>]+\son[a-z]+=", text), "an event handler"
    shown = report_tables(text)
    assert sorted(shown) == assignments()
    rows = list(csv.DictReader(open(graded_class.course / "grades.csv")))
    for name in assignments():
        own = [r for r in rows if r["assignment"] == name]
        expected = {status: sum(r["status"] == status for r in own) for status in ("graded", "not graded", "missing")}
        expected["late"] = sum(r["status"] == "graded" and float(r["late_by"] or 0) > 0 for r in own)
        assert shown[name][0] == expected, name
    assert shown[A][0]["late"] > 0 and shown[A][0]["not graded"] > 10 and shown[A][0]["missing"] > 0
    stray = sum(r["assignment"] not in assignments() for r in rows)
    assert f"{stray} entries of <code>submitted/</code> name no assignment" in text


def test_the_class_report_counts_each_catalogued_mistake_by_student(graded_class):
    """Every catalogued mistake the class made (the_class's "mistakes<k>" students) is counted in
    report.html under its function, as many times as students' verdicts (_grading/verdicts.json)
    named it, and links to the section of its chapter that explains it (an anchor of book/<chapter>.md)."""
    import json
    from grader.assignments import CATALOGUE, SECTIONS

    text = (graded_class.course / "report.html").read_text()
    shown = report_tables(text)
    records = json.loads((graded_class.course / "_grading" / "verdicts.json").read_text())
    named = {}  # (assignment, function, mistake name) -> students whose verdicts named it
    for record in records:
        for test in record["tests"].values():
            for m in test["mistakes"]:
                named.setdefault((record["assignment"], m["function"], m["name"]), set()).add(record["student"])
    for (assignment, function, name), students in named.items():
        assert shown[assignment][1][function][name] == len(students), (assignment, function, name)
    message = {(m.function, m.name): m.message for m in CATALOGUE}
    made = [(s, m) for s in graded_class.common if s.kind == "mistakes" for m in s.mistakes]
    assert len(made) == len(CATALOGUE)
    for submission, mistake in made:  # named, or one with the same message (two may share one)
        assert any(student == submission.student and message[function, name] == mistake.message
                   for (assignment, function, name), students in named.items()
                   for student in students if assignment == submission.assignment), (submission.student, mistake.name)
    links = set(re.findall(r"href='([^'#]+)(#[^']*)?'", text))
    assert links, "no link to a chapter"
    for page, anchor in links:
        chapter = re.fullmatch(r"_build/html/book/(ch\d\d_\w+)\.html", page)
        assert chapter and chapter[1] in SECTIONS, page
        if anchor:
            source = (ROOT / "book" / f"{chapter[1]}.md").read_text()
            assert f"\n({anchor[1:]})=\n" in source, (page, anchor)


def test_a_part_of_the_class_graded_again_gives_the_same_report(graded_class):
    """The partial regrade's report.html is the whole class's, the same as the first run's byte for
    byte: the verdicts of the students it did not grade again are kept (_grading/verdicts.json)."""
    assert (graded_class.again_course / "report.html").read_text() == (graded_class.course / "report.html").read_text()


def test_the_class_report_renders_offline_in_chromium(graded_class, chromium, tmp_path):
    """report.html opened from the disk as an instructor opens it: nothing requested but the page,
    no console error, no script, every plot drawn (with alt text), and at 390 px wide (a phone)
    nothing wider than the screen. The screenshots are left in tmp_path to look at."""
    page_url = (graded_class.course / "report.html").as_uri()
    for width in (1280, 390):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        requested, errors = [], []

        def route(r):
            requested.append(r.request.url)
            (r.continue_ if r.request.url == page_url else r.abort)()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_url, wait_until="load")
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.naturalWidth, i.alt])")
        scripts = page.evaluate("document.scripts.length")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
        context.close()
        assert set(requested) <= {page_url} and not errors and scripts == 0, (requested, errors, scripts)
        assert len(images) == len(assignments()) and all(w > 0 and alt for w, alt in images), images
        assert overflow <= 0, f"{overflow} px wider than a {width} px screen"
