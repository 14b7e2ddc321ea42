"""The site builds from scratch with every page executed and no warning."""

import json
import re

from conftest import ROOT, assignments


def test_build_is_clean(site):
    build, html = site
    log = build.stdout + build.stderr
    assert build.returncode == 0, f"jupyter-book build failed:\n{log[-5000:]}"
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert not warnings, "the build logged warnings:\n" + "\n".join(warnings)
    assert "build succeeded" in log


def test_every_chapter_is_rendered_with_its_notebook(site):
    _, html = site
    toc = (ROOT / "_toc.yml").read_text()
    for doc in re.findall(r"file:\s*(\S+)", toc) + [re.search(r"root:\s*(\S+)", toc)[1]]:
        page = html / f"{doc}.html"
        assert page.is_file(), f"{doc} was not rendered"
        if (ROOT / f"{doc}.md").read_text().startswith("---\njupytext:"):
            notebook = json.loads((html / "_sources" / f"{doc}.ipynb").read_text())
            assert notebook["cells"], f"{doc}.ipynb is empty"
            assert f"_sources/{doc}.ipynb" in page.read_text(), \
                f"{doc} does not offer its .ipynb download"


def test_chapter_pages_executed_their_code(site):
    _, html = site
    chapter = (html / "book" / "ch01_neuron_model.html").read_text()
    assert "cell_output" in chapter, "chapter 1 shows no executed output"
    assert re.search(r'<img[^>]+src="[^"]*\.png"', chapter), "chapter 1 shows no figure"


def test_exercises_page_offers_each_student_notebook(site):
    _, html = site
    page = (html / "book" / "exercises.html").read_text()
    for name in assignments():
        links = re.findall(rf'href="([^"]*/{name}\.ipynb)"', page)
        assert links, f"the exercises page has no download link for {name}"
        served = (html / "book" / links[0]).resolve()
        released = ROOT / "exercises" / name / f"{name}.ipynb"
        assert served.read_bytes() == released.read_bytes(), \
            f"the {name} download is not the released student notebook"


def test_every_chapter_executes_in_under_a_minute(site):
    build, _ = site
    log = build.stdout + build.stderr
    times = {doc: float(t) for doc, t in
             re.findall(r"(book/\S+)\.md: Executed notebook in ([\d.]+) seconds", log)}
    chapters = sorted(p.stem for p in (ROOT / "book").glob("ch*.md"))
    assert sorted(doc.split("/")[-1] for doc in times) == chapters, "not every chapter was executed"
    slow = {doc: t for doc, t in times.items() if t >= 60}
    assert not slow, f"chapters taking a minute or more to execute: {slow}"
