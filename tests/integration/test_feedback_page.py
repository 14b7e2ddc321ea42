"""A feedback page as a student opens it, from disk, in Debian's Chromium:
nothing a student wrote runs as script (their markdown is sanitised, and the
page's Content-Security-Policy blocks inline script and event handlers even
when markup gets through), the math is rendered by MathJax served with the
feedback, and nothing is fetched from anywhere else."""

import os
import shutil
import sys

import nbformat
import pytest

from conftest import ROOT, run
from test_browser import CHROMIUM, FLAGS

A = "ch03_output_error"
ATTACK = ('My notes: $E = \\frac12 \\sum_j (T_j - O_j)^2$ <script>document.title = "pwned"</script>'
          '<img src="x" onerror="document.title = \'pwned\'">')


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    course = tmp_path_factory.mktemp("feedback") / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    nb = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(ATTACK))
    nb.cells.insert(3, nbformat.v4.new_code_cell('print("<script>document.title = \\"pwned\\"</script>")'))
    (course / "submitted" / "mallory" / A).mkdir(parents=True)
    nbformat.write(nb, course / "submitted" / "mallory" / A / f"{A}.ipynb")
    result = run([sys.executable, "-m", "grader"], cwd=course, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return course / "feedback" / "mallory" / A / f"{A}.html"


def opened(page):
    """(title, number of typeset formulas, requests not to file:) of a page opened in Chromium."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium not found: apt-get install -y chromium")
        pytest.skip("Chromium not found: install Debian's package 'chromium'")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page()
        elsewhere = []
        tab.on("request", lambda request: None if request.url.startswith("file:") else elsewhere.append(request.url))
        tab.on("dialog", lambda dialog: elsewhere.append(f"dialog {dialog.message}"))
        tab.goto(page.as_uri())
        tab.wait_for_selector("mjx-container", timeout=30000)
        found = tab.title(), tab.locator("mjx-container").count(), elsewhere
        browser.close()
    return found


def test_student_markup_is_sanitised(feedback):
    html = feedback.read_text()
    assert "My notes" in html and "<script>document.title" not in html and "onerror" not in html


def test_nothing_a_student_wrote_runs_and_math_renders_offline(feedback):
    title, formulas, elsewhere = opened(feedback)
    assert title != "pwned" and formulas > 0 and elsewhere == [], (title, formulas, elsewhere)


def test_the_policy_blocks_script_that_gets_past_sanitising(feedback):
    """The same page with the attack pasted back in raw: the CSP alone must stop it."""
    raw = feedback.with_name("raw.html")
    raw.write_text(feedback.read_text().replace("My notes", ATTACK, 1))
    title, formulas, elsewhere = opened(raw)
    assert title != "pwned" and formulas > 0 and elsewhere == [], (title, formulas, elsewhere)
