"""A feedback page as a student opens it, from disk, in Debian's Chromium:
nothing a student wrote runs as script (their markdown is sanitised, and the
page's Content-Security-Policy blocks inline script and event handlers even
when markup gets through), the math is MathML written into the page, which
the browser renders with no script and no file beside the page, and nothing
is fetched from anywhere else. The page is mallory's, from the session's
graded class (the_class.py)."""

import shutil

import pytest

from grader.mathml import RAW
from the_class import A, MALLORY_NOTES


@pytest.fixture(scope="module")
def feedback(graded_class):
    return graded_class.feedback("mallory", A)


def opened(chromium, page):
    """(title, number of formulas the browser laid out, requests not to file:) of a page opened in Chromium."""
    context = chromium.new_context()
    tab = context.new_page()
    elsewhere = []
    tab.on("request", lambda request: None if request.url.startswith("file:") else elsewhere.append(request.url))
    tab.on("dialog", lambda dialog: elsewhere.append(f"dialog {dialog.message}"))
    tab.goto(page.as_uri())
    tab.wait_for_load_state("load")
    laid_out = tab.evaluate("() => [...document.querySelectorAll('math')]"
                            ".filter(m => m.getBoundingClientRect().height > 0).length")
    found = tab.title(), laid_out, elsewhere
    context.close()
    return found


def test_student_markup_is_sanitised(feedback):
    html = feedback.read_text()
    assert "My notes" in html and "<script>document.title" not in html and "onerror" not in html


def test_nothing_a_student_wrote_runs_and_math_renders_offline(feedback, chromium):
    title, formulas, elsewhere = opened(chromium, feedback)
    assert title != "pwned" and formulas > 0 and elsewhere == [], (title, formulas, elsewhere)


def test_the_policy_blocks_script_that_gets_past_sanitising(feedback, chromium):
    """The same page with the attack pasted back in raw: the CSP alone must stop it."""
    raw = feedback.with_name("raw.html")
    raw.write_text(feedback.read_text().replace("My notes", MALLORY_NOTES, 1))
    try:
        title, formulas, elsewhere = opened(chromium, raw)
    finally:
        raw.unlink()
    assert title != "pwned" and formulas > 0 and elsewhere == [], (title, formulas, elsewhere)


def test_a_page_copied_anywhere_shows_its_math_and_holds_no_script(feedback, chromium, tmp_path):
    """Sent alone (a mail attachment, a download): no _static/ beside it, no script in it."""
    alone = tmp_path / "feedback.html"
    shutil.copy(feedback, alone)
    html = alone.read_text()
    assert "<script" not in html and "_static" not in html and "script-src 'none'" in html
    assert "$" not in RAW.sub("", html) and html.count("<math") > 5  # every formula of the prose is MathML
    title, formulas, elsewhere = opened(chromium, alone)
    assert formulas > 5 and elsewhere == [], (formulas, elsewhere)
