"""Shared fixtures: the course root, commands run from the virtual
environment, and what the integration tests make once per test session and
assert many things on: the site built by `make book` (``site``), the
synthetic class graded by `make grade` (``graded_class``,
tests/integration/the_class.py), one Chromium (``chromium``) and one HTTP
server of the built site (``served``).

Under pytest-xdist (``make test`` runs two workers) each worker has its own
session, so every test that needs one of these runs on the worker that made
it: ``pytest_collection_modifyitems`` puts it in that fixture's xdist group.
See tests/README.md."""

import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What a fresh clone holds besides sources: never copied into a scratch build
SCRATCH_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__",
                                        "*.egg-info", "gradebook.db", "submitted", "autograded",
                                        "feedback", "_grading", "grades.csv")
# xdist group of every test that uses one of these fixtures (directly or through another fixture);
# any other integration test is grouped with its module, whose module-scoped fixtures it shares
GROUPS = {"site": "site", "graded_class": "class", "cluster": "class"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = next((g for fixture, g in GROUPS.items() if fixture in item.fixturenames), None)
        if group is None and "integration" in item.path.parts:
            group = item.path.stem
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def only_once(tmp_path_factory, name):
    """Fail if another xdist worker of this run already made ``name``: its tests
    were not kept in one group, and the suite would pay for it twice."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        mark = tmp_path_factory.getbasetemp().parent / f"{name}.made"  # the run's folder, shared by its workers
        try:
            os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            pytest.fail(f"{name} made twice in one run: the xdist groups of tests/conftest.py were not honoured")


# MyST that a notebook viewer shows raw, which no chapter download may hold (book/_ext/notebook_download.py)
MYST_SYNTAX = {
    "role": r"\{[A-Za-z][\w:+.-]*\}`",
    "(label)= target": r"(?m)^[ \t]*\([^()\s]+\)=[ \t]*$",
    "directive": r"(?m)^[ \t>]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{",
    "equation label": r"\$\$[ \t]*\([^()\s]+\)",
    "link to a label": r"\]\((?:sec|eq|fig)-[^()\s]*\)",
}


def myst_left(markdown):
    """The MyST syntax left in ``markdown``, each as "kind: 'text'"."""
    return [f"{kind}: {found[0]!r}" for kind, pattern in MYST_SYNTAX.items()
            for found in re.finditer(pattern, markdown)]


def run(args, cwd, timeout=900):
    """Run a command with the environment's bin/ first on PATH (nbgrader looks
    up `alembic` there); return the completed process, output as text."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def as_student(nb, student_id):
    """A copy of notebook ``nb`` with ``student_id`` entered in its STUDENT_ID
    cell, as a student does before solving their variant (no change to an
    exercise without variants)."""
    import nbformat

    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("course", {}).get("grade_id") == "student_id":
            cell.source = f"STUDENT_ID = {student_id!r}  # the id you submit your work under, in quotes"
    return nb


def can_make(mistakes, assignment, student_id):
    """Whether the student ``student_id`` can make each of ``mistakes`` in
    their variant: each mistaken answer (of a task with variants) differs
    from the right one."""
    import numpy as np

    from coursework import variants
    from coursework.compare import difference
    from grader import assignments

    own = variants.variant(assignment, student_id)
    for mistake in mistakes:
        if not mistake.per_variant:
            continue
        test = next(t for t in assignments.TESTS[assignment].values() if getattr(t, "function", None) == mistake.function)
        args = next(iter(test.cases(np.random.default_rng(0), own)))
        try:
            wrong = mistake.wrong(own, *args)
        except Exception:
            return False
        if difference(wrong, test.reference(own, *args)) is None:
            return False
    return True


def student_who_can_make(mistake, assignment, prefix="student"):
    """An id whose variant is one in which ``mistake`` (of a task with
    variants) can be made."""
    found = next((f"{prefix}-{n}" for n in range(100) if can_make([mistake], assignment, f"{prefix}-{n}")), None)
    assert found, f"no variant in which {mistake.name} can be made"
    return found


def ids_by_variant(assignment, prefix="student"):
    """{variant name: an id that has it}, for every variant of ``assignment``."""
    from coursework import variants

    found = {}
    for n in range(500):
        found.setdefault(variants.variant(assignment, f"{prefix}-{n}").name, f"{prefix}-{n}")
    assert set(found) == set(variants.names(assignment))
    return found


def assignments():
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built from scratch by `make book` in a temporary copy of the
    course (warnings are errors), with this environment as its .venv;
    returns (completed build process, html directory)."""
    only_once(tmp_path_factory, "site")
    copy = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(ROOT, copy, ignore=SCRATCH_IGNORE)
    (copy / ".venv").symlink_to(BIN.parent)
    # -o: never install into this environment from the copy (a requirements.txt newer than the
    # environment's stamp would make `make` reinstall, pointing the editable install at the copy)
    build = run(["make", "-o", ".venv/installed", "book"], cwd=copy)
    return build, copy / "_build" / "html"


class Refuser(http.server.BaseHTTPRequestHandler):
    """Answers every request: a confined probe that reaches it has escaped the sandbox's network."""

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The synthetic class (tests/integration/the_class.py) graded once by
    `make grade`, and part of it graded again; see the_class.Graded."""
    import the_class

    only_once(tmp_path_factory, "graded_class")
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield the_class.grade(tmp_path_factory.mktemp("class"), f"http://127.0.0.1:{httpd.server_port}/probe.txt")
    finally:
        httpd.shutdown()


def browser_driver():
    """benchmarks/lite_bench.py: serving the site and driving Chromium and JupyterLite."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import lite_bench

    return lite_bench


def needs_chromium():
    """Without Chromium a browser test skips, naming the package, except under CI, where it fails."""
    if not Path(browser_driver().CHROMIUM).exists():
        message = "Chromium not found: install Debian's package 'chromium' (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per worker; a test opens a context of its own (a
    new profile, with an empty cache and storage) where a cold start matters."""
    needs_chromium()
    from playwright.sync_api import sync_playwright

    driver = browser_driver()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=driver.CHROMIUM, args=driver.FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served(site):
    """(base URL, html folder) of the built site, served on 127.0.0.1."""
    build, html = site
    assert build.returncode == 0, "the site did not build; see test_book"
    with browser_driver().serve(html) as base:
        yield base, html
