"""Nothing the site serves answers a graded task (issue: the answer key stays
with the instructor). The site is built in its default mode (``site``), then
every file under ``_build/html`` (pages, chapter downloads, ``_sources``, the
in-browser drive, the exercises' zip downloads, member by member) is
searched for the significant lines of what must stay with the instructor:

- the solution region of every solution cell (``### BEGIN SOLUTION``);
- the body of every function an assignment grades, the course's own;
- every derive task's reference, for all its variants, and every function
  of ``grader/assignments/`` (hidden-case generators, the catalogue's code);
- the judge.

A line is significant when, without comments and whitespace, it has at least
20 characters, is not part of what the released exercises or ``coursework/``
show anyway (a stub's signature, the comparison rule), and does more than
convert arguments to float arrays (``O = np.asarray(O, dtype=float)``)."""

import html
import inspect
import io
import json
import re
import textwrap
import zipfile

import coursework
import nbformat
import pytest

from conftest import ROOT, assignments
from grader import assignments as grading

SHORTEST = 20
BINARY = {".wasm", ".whl", ".png", ".jpg", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".gz", ".data", ".pyc"}


def normalised_lines(code):
    """Each line of ``code`` without its comment (a '#' outside quotes ends it) and whitespace."""
    lines = []
    for line in code.splitlines():
        line = re.sub(r"""#(?=(?:[^"']|"[^"]*"|'[^']*')*$).*""", "", line)
        lines.append(re.sub(r"\s", "", line))
    return lines


def solution_code():
    for assignment in assignments():
        nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in nb.cells:
            for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
                yield f"solutions/{assignment}: cell {cell.metadata.get('nbgrader', {}).get('grade_id')}", region


def function_bodies(module):
    """(name, source) of every function defined in ``module``, nested ones within theirs."""
    for name, function in vars(module).items():
        if inspect.isfunction(function) and function.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", textwrap.dedent(inspect.getsource(function))


def instructor_code():
    """{where: code} of everything that must not be served."""
    code = dict(solution_code())
    for name, function in grading.graded_functions().items():
        code[f"the graded {name} ({function.__module__})"] = textwrap.dedent(inspect.getsource(function))
    for module in grading.MODULES.values():
        code.update(function_bodies(module))
    code["grader/judge.py"] = (ROOT / "grader" / "judge.py").read_text()
    return code


# a line that only converts its arguments to float arrays says nothing of an answer
CONVERSION = re.compile(r"(\w+,)*\w+=(np\.asarray\(\w+,dtype=float\),?)+")


def shown_anyway():
    """Normalised lines of what students are given on purpose (the released notebooks and
    coursework/), as one text: a line of the instructor's code found in it is no leak."""
    lines = set()
    for assignment in assignments():
        nb = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in nb.cells:
            lines |= set(normalised_lines(cell.source))
    for path in coursework.files().values():
        if path.suffix == ".py":
            lines |= set(normalised_lines(path.read_text()))
    return "\n".join(sorted(lines))


def significant_lines():
    """{normalised line: where it comes from}."""
    anyway, found = shown_anyway(), {}
    for where, code in instructor_code().items():
        for line in normalised_lines(code):
            if len(line) >= SHORTEST and line not in anyway and not CONVERSION.fullmatch(line) \
                    and not line.startswith(('"""', "def", "class")):
                found.setdefault(line, where)
    return found


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def readable(name, data):
    """The text of a served file as a reader (or a program) gets it: markup removed, JSON strings joined."""
    text = data.decode("utf-8", errors="replace")
    if name.endswith((".html", ".htm", ".xml", ".svg")):
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    elif name.endswith((".json", ".ipynb")):
        try:
            text = "\n".join(strings(json.loads(text)))
        except ValueError:
            pass
    return re.sub(r"\s", "", text)


def served_texts(root):
    """(path, text) of every served file, and of every member of a served zip."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix in BINARY:
            continue
        relative = str(path.relative_to(root))
        if path.suffix == ".zip":
            if relative.startswith("lite/pyodide/"):  # Pyodide's own standard library
                continue
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                for member in archive.namelist():
                    yield f"{relative}:{member}", readable(member, archive.read(member))
            continue
        yield relative, readable(relative, path.read_bytes())


@pytest.fixture(scope="module")
def lines():
    found = significant_lines()
    assert len(found) > 500, "the scan looks for too little to mean anything"
    return found


def leaks(texts, lines):
    found = []
    for where, text in texts:
        found += [f"{where} holds {line!r} ({source})" for line, source in lines.items() if line in text]
    return found


def test_no_served_file_holds_an_answer(site, lines):
    _, root = site
    texts = list(served_texts(root))
    assert any(where.startswith("lite/files/coursework/") for where, _ in texts)
    assert any(where.startswith("downloads/") for where, _ in texts)
    found = leaks(texts, lines)
    assert not found, "the site serves instructor code:\n" + "\n".join(found[:40])


def test_the_scan_finds_an_answer_where_there_is_one(tmp_path, lines):
    """The same scan on a copy of a served page with a solution pasted in, as a page that
    showed it would: it must find it (a scan that finds nothing checks nothing)."""
    where, region = next(solution_code())
    page = tmp_path / "page.html"
    page.write_text("<pre>" + "".join(f'<span class="n">{html.escape(line)}</span>\n'
                                      for line in region.splitlines()) + "</pre>")
    assert leaks(served_texts(tmp_path), lines)


def test_the_drive_holds_the_exercises_and_coursework_alone(site):
    _, root = site
    files = {str(p.relative_to(root / "lite" / "files")) for p in (root / "lite" / "files").rglob("*")
             if p.is_file()}
    assert files == {f"{a}.ipynb" for a in assignments()} | set(coursework.files())


@pytest.mark.parametrize("exercise", assignments())
def test_a_download_holds_the_notebook_and_what_it_imports(site, exercise):
    _, root = site
    with zipfile.ZipFile(root / "downloads" / f"{exercise}.zip") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert set(members) == {f"{exercise}/{exercise}.ipynb"} | {f"{exercise}/{name}" for name in coursework.files()}
    assert members[f"{exercise}/{exercise}.ipynb"] == \
        (ROOT / "exercises" / exercise / f"{exercise}.ipynb").read_bytes()
    for name, path in coursework.files().items():
        assert members[f"{exercise}/{name}"] == path.read_bytes()
