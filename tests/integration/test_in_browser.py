"""The exercises in the browser (book/_ext/in_browser.py): what the built site
holds under lite/, and an exercise worked in JupyterLite in Chromium from a
cold cache (solved, downloaded from the File menu by a click, then with a
catalogued mistake and an error of its own), its download graded
through `make grade` like the same work done in desktop Jupyter (a run of
its own: the notebook exists only on the site's worker, once the browser
has saved it), and every other exercise solved in one warm kernel."""

import csv
import hashlib
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, as_student, assignments, browser_driver, run
from grader.assignments import for_function

driver = browser_driver()  # benchmarks/lite_bench.py

EXERCISE = "ch03_output_error"
FULL = 18


@pytest.fixture(scope="module")
def lite(site):
    build, html = site
    assert build.returncode == 0, "the site did not build; see test_book"
    return html / "lite"


def test_every_exercise_is_its_released_copy(lite):
    for exercise in assignments():
        served = lite / "files" / f"{exercise}.ipynb"
        assert served.read_bytes() == (ROOT / "exercises" / exercise / f"{exercise}.ipynb").read_bytes()


def test_the_kernel_is_pinned_to_the_sites_own_pyodide(lite):
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./pyodide/pyodide.js"
    assert all(url.startswith("./") for url in kernel["pipliteUrls"])
    lock = json.loads((lite / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == "0.27.7"
    by_file = {entry["file_name"]: entry["sha256"] for entry in lock["packages"].values()}
    wheels = [p for p in (lite / "pyodide").iterdir()
              if p.suffix in {".whl", ".zip"} and p.name != "python_stdlib.zip"]
    assert any(p.name.startswith("numpy-") for p in wheels)
    for wheel in wheels:
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == by_file[wheel.name], wheel.name


def test_the_site_grows_by_less_than_50_mb(lite):
    size = json.loads((lite / "size.json").read_text())
    assert sum(p.stat().st_size for p in lite.rglob("*") if p.is_file()) < 50e6
    assert size["bytes"] < 50e6 and 0 < size["gzip_bytes"] < size["bytes"]


@pytest.mark.parametrize("page", ["book/exercises.html"] + [f"book/{e}.html" for e in assignments()])
def test_each_exercise_page_links_to_its_exercise_in_the_browser(lite, page):
    html = lite.parent / page
    links = [a["href"] for a in BeautifulSoup(html.read_text(), "html.parser").find_all("a", class_="lite-link")]
    expected = assignments() if page == "book/exercises.html" else [Path(page).stem]
    assert links == [f"../lite/notebooks/index.html?path={e}.ipynb" for e in expected]
    assert all(a.string == "Work in the browser" for a in BeautifulSoup(html.read_text(), "html.parser")
               .find_all("a", class_="lite-link"))


@pytest.fixture(scope="module")
def worked(served, chromium, tmp_path_factory):
    """ch03 worked in JupyterLite from a cold start: solved, downloaded, then a
    catalogued mistake put in. The browser context it warmed stays open for
    the other exercises (``kernel_page``)."""
    base, _ = served
    folder = tmp_path_factory.mktemp("browser")
    mistake = next(m for m in for_function("output_error") if m.name == "sign flipped")
    found = {}
    context = chromium.new_context()  # a new profile: nothing cached, nothing stored
    outside = driver.same_origin_only(context, base)
    page, found["cold_start"] = driver.open_exercise(context, base, EXERCISE)
    found["hidden_before"] = driver.outputs(page)
    driver.set_cells(page, driver.solved(EXERCISE, "web-student"))
    found["run_all"] = driver.run_all(page)
    found["solved"] = driver.outputs(page)
    found["download"] = driver.save_and_download(page, folder / f"{EXERCISE}.ipynb")
    again = driver.reopen(context, base, EXERCISE)
    found["kept"] = driver.source_of(again, "output_error")
    again.close()
    driver.set_cells(page, {"output_error": mistake.example})
    driver.run_all(page)
    found["mistaken"] = driver.outputs(page)
    driver.set_cells(page, {"output_error": "raise ValueError('O and T differ in shape')"})
    driver.run_all(page)
    found["raised"] = driver.outputs(page)["output_error"]
    found["rendered_error"] = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                                           ).first.inner_text()
    found["notice_hidden"] = page.locator("#course-needs-a-server").is_hidden()
    page.close()
    found["outside"] = outside
    print(f"\nJupyterLite, {EXERCISE}: kernel idle after {found['cold_start']:.1f} s from a cold cache, "
          f"all cells run in {found['run_all']:.1f} s")
    found["mistake"], found["context"] = mistake, context
    yield found
    context.close()


def test_no_request_leaves_the_site(worked):
    assert worked["outside"] == []  # (the other exercises, run in the same context, by kernel_page)


def test_a_solved_exercise_passes_every_visible_test(worked):
    solved = worked["solved"]
    tests = [cell for cell in solved if cell.startswith("test_")]
    assert len(tests) == 6
    for cell in tests:
        assert all(kind != "error" for kind, _ in solved[cell]), (cell, solved[cell])
    for cell in tests:
        printed = "".join(text for kind, text in solved[cell] if kind == "stream")
        if cell.endswith("_hidden"):
            assert "checked when your work is graded" in printed and "pass" not in printed.lower(), printed
        else:
            assert printed.strip(), f"{cell} printed nothing"


def test_work_persists_between_visits(worked):
    assert "### BEGIN SOLUTION" in worked["kept"]


def test_a_catalogued_mistake_is_named_in_the_browser(worked):
    cell = worked["mistaken"]["test_output_error_example"]
    errors = [text for kind, text in cell if kind == "error"]
    assert errors and worked["mistake"].message[:60] in errors[0], cell


def test_the_menu_download_is_the_saved_work(worked):
    """File → Download, clicked, saved the notebook first: the download holds the solution typed into it."""
    nb = nbformat.read(worked["download"], as_version=4)
    typed = driver.solved(EXERCISE, "web-student")["output_error"]
    assert [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "output_error"] == [typed]


def test_errors_show_their_type_and_message(worked):
    """As desktop Jupyter shows them: "ValueError: ...", not "<class 'ValueError'>: ..."."""
    assert worked["raised"] == [["error", "ValueError: O and T differ in shape"]]
    assert worked["rendered_error"].strip().endswith("ValueError: O and T differ in shape")
    failed = [text for kind, text in worked["mistaken"]["test_output_error_example"] if kind == "error"]
    assert failed and failed[0].startswith("TestFailed: "), failed
    assert "<class" not in json.dumps(worked["mistaken"])


def test_a_page_served_over_http_hides_the_file_protocol_notice(worked):
    assert worked["notice_hidden"]


@pytest.mark.parametrize("app", ["notebooks/index.html?path=ch03_output_error.ipynb", "tree/index.html",
                                 "edit/index.html?path=coursework/check.py"])
def test_opened_from_disk_the_app_says_how_to_serve_it(lite, chromium, app):
    """A student who opened the site from a folder lands on a page that says what to do, not a blank one."""
    page = chromium.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"file://{lite}/{app}")
    notice = page.locator("#course-needs-a-server")
    notice.wait_for(state="visible", timeout=10_000)
    text = notice.inner_text()
    page.close()
    assert "make serve" in text and "http://127.0.0.1:8000/" in text and "download" in text


def test_files_that_are_not_notebooks_open_in_the_editor(worked, served):
    """From the file browser, as a student opens them (double-click): the course's .py files and a
    .md the student made open in JupyterLite's text editor with their text, and a .csv in its table
    view, not on a 404 page."""
    base = served[0]
    context = worked["context"]
    tree = context.new_page()
    tree.goto(f"{base}/lite/tree/index.html")
    tree.wait_for_function("() => window.jupyterapp && jupyterapp.serviceManager")
    tree.evaluate("""async () => { const contents = jupyterapp.serviceManager.contents;
        await contents.save('notes.md', {type: 'file', format: 'text', content: '# My notes on Err'});
        await contents.save('errors.csv', {type: 'file', format: 'text', content: 'epoch,E\\n1,0.25\\n'}); }""")
    tree.reload()
    opened = {}
    for folder, name in [(None, "notes.md"), (None, "errors.csv"), ("coursework", "check.py")]:
        if folder:
            tree.get_by_text(folder, exact=True).dblclick()
        item = tree.locator(".jp-DirListing-itemText", has_text=name)
        with context.expect_page() as editor_page:
            item.dblclick()
        editor = editor_page.value
        editor.wait_for_function("() => { const w = window.jupyterapp && jupyterapp.shell.currentWidget;"
                                 " return w && w.context && w.context.isReady; }", timeout=60_000)
        shown = editor.evaluate("() => { const w = jupyterapp.shell.currentWidget;"
                                " return [w.content.node.className, w.context.model.toString()]; }")
        opened[name] = (editor.url, *shown)
        editor.close()
    tree.close()
    assert all("/lite/edit/" in url for url, _, _ in opened.values()), opened
    assert "jp-FileEditor" in opened["check.py"][1] and "The visible tests' helper" in opened["check.py"][2]
    assert "jp-FileEditor" in opened["notes.md"][1] and opened["notes.md"][2] == "# My notes on Err"
    assert "jp-CSVViewer" in opened["errors.csv"][1] and opened["errors.csv"][2] == "epoch,E\n1,0.25\n"


def test_the_download_grades_like_the_same_work_done_on_a_desktop(worked, tmp_path):
    """Graded by the real command, beside the same answers written into the
    release copy as desktop Jupyter saves it: the same marks."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_bytes((ROOT / "nbgrader_config.py").read_bytes())
    shutil.copytree(ROOT / "solutions", course / "solutions")
    web = nbformat.read(worked["download"], as_version=4)
    assert any(c.metadata.get("nbgrader", {}).get("grade_id") == "output_error" for c in web.cells)
    desktop = as_student(nbformat.read(ROOT / "exercises" / EXERCISE / f"{EXERCISE}.ipynb", as_version=4),
                         "desk-student")
    answers = driver.solved(EXERCISE, "desk-student")
    for cell in desktop.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    for student, nb in {"web-student": web, "desk-student": desktop}.items():
        folder = course / "submitted" / student / EXERCISE
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{EXERCISE}.ipynb")
    done = run([sys.executable, "-m", "grader"], cwd=course, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {r["student"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert rows["web-student"]["status"] == rows["desk-student"]["status"] == "graded", rows
    assert float(rows["web-student"]["score"]) == float(rows["desk-student"]["score"]) == FULL, rows


def save_solved(page, base, exercises, student_id):
    """Save each of ``exercises``, solved, in the browser's own storage, as a student who did them
    there has them: what ``coursework.earlier`` reads for the exercises that build on them."""
    page.evaluate("""async ({base, solved}) => {
        const contents = jupyterapp.serviceManager.contents;
        for (const [exercise, sources] of Object.entries(solved)) {
          const notebook = await (await fetch(`${base}/lite/files/${exercise}.ipynb`)).json();
          for (const cell of notebook.cells) {
            const id = (cell.metadata.nbgrader || {}).grade_id || (cell.metadata.course || {}).grade_id;
            if (id in sources) cell.source = sources[id]; }
          await contents.save(`${exercise}.ipynb`, {type: 'notebook', format: 'json', content: notebook}); } }""",
                  {"base": base, "solved": {e: driver.solved(e, student_id) for e in exercises}})


@pytest.fixture(scope="module")
def kernel_page(worked, served):
    """A page of the context ``worked`` warmed up, with a Pyodide kernel started as for ch03, and
    every exercise saved solved in the browser's storage (ch03 was, by ``worked``)."""
    page, _ = driver.open_exercise(worked["context"], served[0], EXERCISE)
    save_solved(page, served[0], [e for e in assignments() if e != EXERCISE], "web-student")
    yield page
    page.close()
    assert worked["outside"] == [], worked["outside"]


def load_exercise(page, base, exercise):
    """Put ``exercise``'s notebook, as the site serves it to JupyterLite, in the open page, and
    clear every name the kernel holds (IPython's %reset -f): the cells of the last exercise are
    gone. A new kernel for each exercise would cost about 20 s of CPU each; a kernel's start,
    from a cold cache, is what ``worked`` checks."""
    page.evaluate("""async (url) => {
        const notebook = await (await fetch(url)).json();
        const widget = jupyterapp.shell.currentWidget;
        widget.content.model.fromJSON(notebook);
        await widget.sessionContext.session.kernel.requestExecute({code: '%reset -f'}).done; }""",
                  f"{base}/lite/files/{exercise}.ipynb")


@pytest.mark.parametrize("exercise", [e for e in assignments() if e != EXERCISE])
def test_every_other_exercise_solved_in_the_browser_passes_its_visible_tests(kernel_page, served, exercise):
    load_exercise(kernel_page, served[0], exercise)
    driver.set_cells(kernel_page, driver.solved(exercise, "web-student"))  # fails if a cell is not there
    driver.run_all(kernel_page)
    found = driver.outputs(kernel_page)
    tests = {cell: out for cell, out in found.items() if cell.startswith("test_")}
    assert tests and all(out and all(kind != "error" for kind, _ in out) for out in tests.values()), tests
