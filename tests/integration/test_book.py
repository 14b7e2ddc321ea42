"""The site builds from scratch with every page executed and no warning,
and shows the code of no function that an exercise grades."""

import ast
import html as html_text
import inspect
import io
import json
import re
import textwrap
import tokenize
from pathlib import Path
from html.parser import HTMLParser

from conftest import ROOT, assignments, myst_left
from grader.assignments import graded_functions


def test_build_is_clean(site):
    build, html = site
    log = build.stdout + build.stderr
    assert build.returncode == 0, f"jupyter-book build failed:\n{log[-5000:]}"
    # not the build's: jupyter_client's event loop, when a kernel's socket is closed under a pending
    # callback as nbclient shuts the kernel down (seen once in CI, "Socket operation on non-socket")
    teardown = "ERROR:tornado.general:Uncaught exception in ZMQStream callback"
    warnings = [line for line in log.splitlines() if ("WARNING" in line or "ERROR" in line) and line != teardown]
    assert not warnings, "the build logged warnings:\n" + "\n".join(warnings)
    assert "build succeeded" in log


def test_every_chapter_is_rendered_with_its_notebook(site):
    _, html = site
    toc = (ROOT / "_toc.yml").read_text()
    for doc in re.findall(r"file:\s*(\S+)", toc) + [re.search(r"root:\s*(\S+)", toc)[1]]:
        page = html / f"{doc}.html"
        assert page.is_file(), f"{doc} was not rendered"
        # chapters only: the exercises and instructors pages compute their figures from the build
        if Path(doc).name.startswith("ch") and (ROOT / f"{doc}.md").read_text().startswith("---\njupytext:"):
            notebook = json.loads((html / "_sources" / f"{doc}.ipynb").read_text())
            assert notebook["cells"], f"{doc}.ipynb is empty"
            assert f"_sources/{doc}.ipynb" in page.read_text(), \
                f"{doc} does not offer its .ipynb download"


def test_chapter_pages_executed_their_code(site):
    _, html = site
    chapter = (html / "book" / "ch01_neuron_model.html").read_text()
    assert "cell_output" in chapter, "chapter 1 shows no executed output"
    assert re.search(r'<img[^>]+src="[^"]*\.png"', chapter), "chapter 1 shows no figure"


def test_exercises_page_offers_each_exercise_as_a_download(site):
    _, html = site
    page = (html / "book" / "exercises.html").read_text()
    for name in assignments():
        links = re.findall(rf'href="([^"]*/{name}\.zip)"', page)
        assert links == [f"../downloads/{name}.zip"], f"the exercises page has no download link for {name}"
        assert (html / "book" / links[0]).resolve().is_file()


def test_every_chapter_executes_in_under_a_minute(site):
    build, _ = site
    log = build.stdout + build.stderr
    times = {doc: float(t) for doc, t in
             re.findall(r"(book/\S+)\.md: Executed notebook in ([\d.]+) seconds", log)}
    chapters = sorted(p.stem for p in (ROOT / "book").glob("ch*.md"))
    executed = sorted(doc.split("/")[-1] for doc in times)
    assert [doc for doc in executed if doc.startswith("ch")] == chapters, "not every chapter was executed"
    slow = {doc: t for doc, t in times.items() if t >= 60}
    assert not slow, f"chapters taking a minute or more to execute: {slow}"


def normalised(code):
    """Code without its comments and without any whitespace. Text that is not
    Python (a cell's output) loses what follows a '#' on each line instead."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        code = " ".join(token.string for token in tokens if token.type != tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError):
        code = re.sub(r"#[^\n]*", "", code)
    return re.sub(r"\s", "", code)


def graded_bodies():
    """{name: normalised body} of every graded function: its statements
    without the docstring."""
    bodies = {}
    for name, function in graded_functions().items():
        source = textwrap.dedent(inspect.getsource(function))
        statements = ast.parse(source).body[0].body
        if isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
            statements = statements[1:]
        lines = source.splitlines()[statements[0].lineno - 1:statements[-1].end_lineno]
        bodies[name] = normalised(textwrap.dedent("\n".join(lines)))
    return bodies


class PreText(HTMLParser):
    """The text of every <pre> element of a page (code cells' inputs and outputs), or with
    ``within``, of those inside a <div> of that class ("cell_input": the code a cell shows)."""

    def __init__(self, within=None):
        super().__init__()
        self.blocks, self.depth, self.within = [], 0, within
        self.divs, self.inside = 0, None if within else 0  # depth of the div it is within

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.divs += 1
            if self.inside is None and self.within in (dict(attrs).get("class") or "").split():
                self.inside = self.divs
        elif tag == "pre" and self.inside is not None:
            if not self.depth:
                self.blocks.append("")
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "div":
            if self.within and self.divs == self.inside:
                self.inside = None
            self.divs -= 1
        elif tag == "pre" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.blocks[-1] += data


def shown_graded_code(html):
    """(file, function) for every graded function whose body is in a <pre> of
    an HTML page or a code cell of a notebook under ``html``."""
    bodies = graded_bodies()
    found = []
    for path in sorted(html.rglob("*")):
        if path.suffix == ".html":
            parser = PreText()
            parser.feed(path.read_text())
            blocks = parser.blocks
        elif path.suffix == ".ipynb":
            blocks = ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                      if cell["cell_type"] == "code"]
        else:
            continue
        for block in map(normalised, blocks):
            found += [(str(path.relative_to(html)), name) for name, body in bodies.items() if body in block]
    return sorted(set(found))


def test_no_page_shows_a_graded_function(site):
    """course_show_solutions is false: no page, no chapter notebook offered as
    a download, shows the body of a function an exercise grades."""
    build, html = site
    assert build.returncode == 0, "the site did not build"
    assert list(html.glob("_sources/book/ch*.ipynb")), "the site offers no chapter notebooks"
    shown = shown_graded_code(html)
    assert not shown, "graded functions shown on the site:\n" + "\n".join(
        f"  {page}: {name}" for page, name in shown)


def test_graded_functions_are_replaced_by_their_note(site):
    _, html = site
    page = (html / "book" / "ch04_hidden_error.html").read_text()
    for name in ("hidden_error", "backward"):
        assert re.search(rf"implementation of <code[^>]*><span[^>]*>{name}</span></code> is not shown here", page), \
            f"chapter 4 has no note in the place of {name}"
    assert 'href="exercises.html"' in page, "the note does not link to the exercises page"


def test_the_check_finds_a_graded_function_however_it_is_shown(tmp_path):
    """The check of the site is not blind: highlighted on a page, or
    re-indented and commented in a notebook's cell, a body is found."""
    from backprop.network import backward, classify_run

    (tmp_path / "book").mkdir()
    highlighted = re.sub(r"(\w+)", r'<span class="n">\1</span>', html_text.escape(inspect.getsource(backward)))
    (tmp_path / "book" / "page.html").write_text(f"<html><body><pre>{highlighted}</pre></body></html>")
    recommented = "\n".join(line.replace("    ", "  ") + "  # mine" for line in
                             inspect.getsource(classify_run).splitlines())
    notebook = {"cells": [{"cell_type": "markdown", "source": ["no code"]},
                          {"cell_type": "code", "source": ["import numpy as np\n", recommented]}]}
    (tmp_path / "book" / "page.ipynb").write_text(json.dumps(notebook))
    assert shown_graded_code(tmp_path) == [("book/page.html", "backward"), ("book/page.ipynb", "classify_run")]


def _download(path):
    notebook = json.loads(path.read_text())
    prose = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    return notebook, prose, code


def test_chapter_downloads_show_values_not_authoring_lines(site):
    """Each chapter's .ipynb reads in any Jupyter: the glue roles of its prose are the
    values the site shows, and glue calls and asserts are not in its code."""
    _, html = site
    downloads = sorted((html / "_sources").rglob("*.ipynb"))
    assert downloads, "the site offers no notebook downloads"
    checked = 0
    for path in downloads:
        name = path.relative_to(html / "_sources").with_suffix("")
        _, prose, code = _download(path)
        assert "{glue" not in prose, f"{name}.ipynb shows a raw glue role"
        assert "{graded-code}" not in prose, f"{name}.ipynb shows a raw graded-code directive"
        for source in code:
            assert source.strip(), f"{name}.ipynb has an empty code cell"
            assert "glue(" not in source and "myst_nb" not in source, f"{name}.ipynb glues:\n{source}"
            assert not re.search(r"^\s*assert\b", source, re.M), f"{name}.ipynb asserts:\n{source}"
        # every value the page pastes into its prose, with the words after it, is in the download's prose
        page = (html / name).with_suffix(".html").read_text()
        figures = [number.strip() for number in re.findall(r'<span class="caption-number">([^<]*)</span>', page)]
        assert re.findall(r"^\*\*(Fig\. [^*]*)\*\* ", prose, re.M) == figures, \
            f"{name}.ipynb does not caption its figures as the page does ({figures})"
        text = re.sub(r"\\(.)", r"\1", re.sub(r"\s+", " ", prose))  # Markdown escapes off
        for value, after in re.findall(r'<span class="pasted-text">([^<]*)</span>([^<]*)', page):
            words = re.findall(r"\w+", html_text.unescape(after))[:2]
            if len(words) < 2 or not re.match(r"\W*[A-Za-z]", after):
                continue  # math or markup follows: nothing plain to anchor on
            value = html_text.unescape(value)
            assert re.search(re.escape(value) + r"\W*" + r"\W+".join(words), text), \
                f"{name}.ipynb does not say {value!r} before {' '.join(words)!r} as the site does"
            checked += 1
    assert checked >= 100, f"only {checked} pasted values could be compared with the downloads"


def test_chapter_downloads_are_plain_markdown_with_the_sites_numbers(site):
    """No MyST is left in a chapter's .ipynb for a notebook viewer to show raw (roles, (label)=
    targets, directives, equation labels, links to labels), and what the site numbers or titles reads
    the same: each labelled equation carries the number beside it on the page (\\tag), each
    reference to an equation is the number its link on the page shows, in the page's order, each
    figure's caption has the page's number, and each reference to a section or figure is the text
    of its link."""
    _, html = site
    downloads = sorted((html / "_sources" / "book").glob("ch*.ipynb"))
    assert downloads, "the site offers no chapter notebooks"
    tags = links = 0
    for path in downloads:
        name = path.relative_to(html / "_sources").with_suffix("")
        _, prose, _ = _download(path)
        left = myst_left(prose)
        assert not left, f"{name}.ipynb shows raw MyST:\n  " + "\n  ".join(left)
        assert prose.count("<details>") == prose.count("</details>"), f"{name}.ipynb: a <details> is not closed"
        page = (html / name).with_suffix(".html").read_text()
        beside = re.findall(r'<span class="eqno">\(([^)<]*)\)', page)
        assert re.findall(r"\\tag\{([^}]*)\}", prose) == beside, \
            f"{name}.ipynb does not number its equations as the page does ({beside})"
        numbers = iter(re.findall(r"\(\d+(?:\.\d+)*\)", prose))
        for shown in re.findall(r'<a class="reference internal" href="[^"]*#equation-[^"]*">([^<]*)</a>', page):
            assert shown in numbers, f"{name}.ipynb does not refer to equation {shown} where the page does"
            links += 1
        figures = [number.strip() for number in re.findall(r'<span class="caption-number">([^<]*)</span>', page)]
        assert re.findall(r"^\*\*(Fig\. [^*]*)\*\* ", prose, re.M) == figures, \
            f"{name}.ipynb does not caption its figures as the page does ({figures})"
        text = re.sub(r"\\(.)", r"\1", re.sub(r"\s+", " ", prose))  # Markdown escapes off
        for shown in re.findall(r'<span class="std std-(?:ref|numref)">([^<]*)</span>', page):
            assert html_text.unescape(shown) in text, f"{name}.ipynb does not name {shown!r} as the page does"
        tags += len(beside)
    assert tags >= 20 and links >= 100, f"only {tags} equations and {links} references to them were compared"


def test_pages_show_no_authoring_lines_in_their_code(site):
    """No page's code cell shows a glue call, the glue import or an assert: they are
    taken out of the site as out of the downloads (book/_ext/course_site.py)."""
    _, html = site
    shown, checked = [], 0
    for path in sorted(html.rglob("*.html")):
        if path.relative_to(html).parts[0] in ("lite", "_static", "_sources"):
            continue
        parser = PreText(within="cell_input")
        parser.feed(path.read_text())
        for code in parser.blocks:
            checked += 1
            if "glue(" in code or "myst_nb" in code or re.search(r"^\s*assert\b", code, re.M):
                shown.append(f"{path.relative_to(html)}:\n{code}")
    assert checked >= 100, f"only {checked} code cells found on the site: is the parser still right?"
    assert not shown, "authoring lines shown on the site:\n" + "\n".join(shown)


def test_a_chapter_download_runs_top_to_bottom(site, tmp_path):
    """Downloaded on its own (no course folder around it), chapter 1's notebook runs."""
    import nbformat
    from nbclient import NotebookClient

    _, html = site
    notebook = nbformat.read(html / "_sources" / "book" / "ch01_neuron_model.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output["output_type"] == "error"]
    assert any(output["output_type"] == "display_data" and "image/png" in output["data"] for output in outputs)


def test_the_class_reports_links_reach_their_sections(site):
    """Each label of grader.assignments.SECTIONS, where report.html sends the instructor for a
    function's mistakes, is an anchor of its chapter's built page."""
    from grader.assignments import SECTIONS

    _, html = site
    for assignment, sections in SECTIONS.items():
        page = (html / "book" / f"{assignment}.html").read_text()
        for label in set(sections.values()):
            assert f'id="{label}"' in page, (assignment, label)
