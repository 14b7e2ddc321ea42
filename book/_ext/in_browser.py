"""The exercises in the browser: JupyterLite with a Pyodide served by the site itself.

Every HTML build writes ``<site>/lite/``, a JupyterLite site whose Python
kernel is Pyodide 0.27.7 from the npm registry (``lite/package.json`` and its
lock file; ``npm ci`` runs when ``lite/node_modules`` is missing). Its drive
holds each exercise's released student copy, unchanged, beside the
``coursework`` package its cells import (``coursework.files()``, the files a
grading sandbox mounts too), and nothing else of the course: not
``backprop``, whose functions the exercises grade, not the grader, not the
data sets. Each exercise is also offered as a download,
``<site>/downloads/<exercise>.zip``: ``<exercise>/<exercise>.ipynb`` beside
the same ``coursework/``, the layout of the folders nbgrader releases, so
that ``coursework.earlier`` finds the student's notebooks of earlier
exercises when several are unzipped side by side.

Pyodide's npm package holds the runtime alone. The packages it loads (numpy,
and what the kernel needs: IPython, jedi, micropip, ssl, sqlite3, ...) are
vendored in ``lite/wheels/`` (provenance in its README). Every one is checked
here against the sha256 in Pyodide's own ``pyodide-lock.json`` before it is
copied, and ``comm``, which the kernel installs from its own wheel index,
against the hash PyPI publishes (``lite/wheels/pypi.json``). The kernel is
built with ``disablePyPIFallback``: nothing is fetched from anywhere but the
site.

JupyterLite's own settings (``lite/jupyter-lite.json``, ``lite/overrides.json``) set the kernel and
put *Download* in the notebook's *File* menu; its ``edit`` app opens the
files that are not notebooks. A page of the app opened from ``file://``,
where no kernel can start, says so and how to serve the site.

The ``lite`` role writes a "Work in the browser" link to an exercise, and
its "download" link beside it:
``{lite}`ch03_output_error```.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docutils import nodes
from jupyter_core.paths import jupyter_path
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
LITE = ROOT / "lite"
WHEELS = LITE / "wheels"
PYODIDE = LITE / "node_modules" / "pyodide"
# What jupyterlite-pyodide-kernel 0.6.1 loads when its kernel starts, and numpy, which the exercises import
KERNEL_PACKAGES = ("micropip", "ssl", "sqlite3", "traitlets", "jedi", "ipython")
COURSE_PACKAGES = ("numpy",)
# The runtime, from the npm package (npm ci checks the package against the lock file's integrity hash)
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json")
DOWNLOADS = "downloads"
APPS = ("notebooks", "tree", "edit")
SIZE_FILE = "size.json"


class LiteError(Exception):
    """The in-browser site cannot be built as it must be (a file that fails its check, a missing tool)."""


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def canonical(name):
    """A package name as Pyodide's lock file keys it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def needed(lock, names):
    """The lock file's entries for ``names`` and everything they depend on."""
    packages = {canonical(key): entry for key, entry in lock["packages"].items()}
    found, todo = {}, [canonical(name) for name in names]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        if name not in packages:
            raise LiteError(f"Pyodide's lock file has no package {name!r}")
        found[name] = packages[name]
        todo += [canonical(dependency) for dependency in packages[name]["depends"]]
    return found


def verified_wheels(pyodide=PYODIDE, wheels=WHEELS, names=KERNEL_PACKAGES + COURSE_PACKAGES):
    """(the Pyodide packages ``names`` need, the piplite wheels) to ship, as paths, each checked
    against its published sha256; a needed package that is missing, or any
    other file in ``wheels``, is an error."""
    lock_file = Path(pyodide) / "pyodide-lock.json"
    if not lock_file.exists():
        raise LiteError(f"{lock_file} is missing: run `npm ci --prefix lite`")
    lock = json.loads(lock_file.read_text())
    pypi = json.loads((Path(wheels) / "pypi.json").read_text())
    ship, problems = [], []
    for name, entry in sorted(needed(lock, names).items()):
        path = Path(wheels) / entry["file_name"]
        if not path.exists():
            problems.append(f"{entry['file_name']} ({name}) is not in {wheels}")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{path.name}: its sha256 is not the one in Pyodide's lock file")
        else:
            ship.append(path)
    piplite = []
    for file_name, digest in sorted(pypi.items()):
        path = Path(wheels) / file_name
        if not path.exists() or sha256(path) != digest:
            problems.append(f"{file_name}: missing, or its sha256 is not the one PyPI publishes")
        else:
            piplite.append(path)
    known = {path.name for path in ship + piplite} | {"pypi.json"}
    problems += [f"{path.name}: nothing needs it and no lock file vouches for it"
                 for path in sorted(Path(wheels).iterdir()) if path.name not in known]
    if problems:
        raise LiteError("the vendored Pyodide packages fail their check:\n  " + "\n  ".join(problems))
    return ship, piplite


def student_files():
    """{path: file} of what a student receives besides the exercises (``coursework.files()``)."""
    import coursework

    return coursework.files()


def exercises(root=ROOT):
    return sorted((root / "exercises").glob("*/*.ipynb"))


def stage_drive(drive, root=ROOT):
    """The files a student's notebooks see in the browser: the released exercises
    at the top, beside the package they import."""
    for notebook in exercises(root):
        shutil.copyfile(notebook, drive / notebook.name)
    for name, source in student_files().items():
        (drive / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, drive / name)


def write_downloads(out, root=ROOT):
    """``out/<exercise>.zip`` for every exercise: its notebook and the package it imports, in a
    folder named after it. Entries carry a fixed date, so that a rebuild gives the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    for notebook in exercises(root):
        exercise = notebook.stem
        with zipfile.ZipFile(out / f"{exercise}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for name, source in [(notebook.name, notebook), *student_files().items()]:
                entry = zipfile.ZipInfo(f"{exercise}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
                entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                archive.writestr(entry, Path(source).read_bytes())


def ensure_pyodide():
    if (PYODIDE / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise LiteError("npm is not installed: the in-browser exercises need Node.js and npm "
                        "(Debian: apt-get install -y nodejs npm)")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(LITE)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise LiteError(f"npm ci in lite/ failed:\n{done.stdout}\n{done.stderr}")


def kernel_extension():
    for folder in jupyter_path("labextensions"):
        path = Path(folder, "@jupyterlite", "pyodide-kernel-extension")
        if path.exists():
            return path
    raise LiteError("jupyterlite-pyodide-kernel is not installed (requirements.txt)")


def size(folder):
    """Bytes of the files under ``folder``, as they are and gzipped one by one (as a server sends them)."""
    files = [path for path in Path(folder).rglob("*") if path.is_file()]
    return {"files": len(files), "bytes": sum(path.stat().st_size for path in files),
            "gzip_bytes": sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)}


# Shown by every page of the in-browser app opened from a file:// page (the site opened from disk), where
# it would stay blank: browsers run no service worker or WebAssembly kernel for a file:// page
FILE_PROTOCOL_NOTICE = """
    <div id="course-needs-a-server" hidden
         style="max-width: 36em; margin: 3em auto; padding: 0 1em; font: 16px/1.5 sans-serif">
      <h1 style="font-size: 1.5em">The exercises run in the browser only from a web server</h1>
      <p>This page was opened from a file on disk (<code>file://</code>), and browsers do not run the
      in-browser Python kernel from there. In the course folder, run <code>make serve</code> and open
      <a href="http://127.0.0.1:8000/">http://127.0.0.1:8000/</a>, or use the course's published site.</p>
      <p>Or work on your own machine: the exercises page offers each exercise as a download beside its
      "Work in the browser" link.</p>
    </div>
    <script>
      if (window.location.protocol === 'file:') {
        document.getElementById('course-needs-a-server').hidden = false;
      }
    </script>
"""


def add_file_protocol_notice(out):
    """Put ``FILE_PROTOCOL_NOTICE`` at the top of the body of each app's page under ``out`` (the site's
    links lead there; ``index.html`` at the top only redirects to one of them)."""
    for app in APPS:
        page = Path(out) / app / "index.html"
        html = page.read_text()
        # the tree and edit pages have no <body> tag: what follows </head> opens the body
        start = re.search(r"<body[^>]*>", html) or re.search(r"</head>", html)
        if start is None:
            raise LiteError(f"{page} has neither <body> nor </head>: JupyterLite's page changed")
        page.write_text(html[:start.end()] + FILE_PROTOCOL_NOTICE + html[start.end():])


def build(out):
    """Write the JupyterLite site into ``out`` (replaced); return its size."""
    ensure_pyodide()
    ship, piplite = verified_wheels()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        drive, lite_dir = work / "drive", work / "lite"
        drive.mkdir()
        lite_dir.mkdir()
        stage_drive(drive)
        for name in ("jupyter-lite.json", "overrides.json"):
            shutil.copyfile(LITE / name, lite_dir / name)
        command = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                   "--contents", str(drive), "--output-dir", str(out), "--ignore-sys-prefix",
                   f"--LiteBuildConfig.federated_extensions={kernel_extension()}", "--no-sourcemaps",
                   "--no-unused-shared-packages", *[f"--apps={app}" for app in APPS],
                   *[f"--piplite-wheels={wheel}" for wheel in piplite]]
        done = subprocess.run(command, cwd=lite_dir, capture_output=True, text=True,
                              env=dict(os.environ, PYTHONWARNINGS="ignore"))
        if done.returncode != 0:
            raise LiteError(f"jupyter lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    add_file_protocol_notice(out)
    runtime = out / "pyodide"
    runtime.mkdir()
    for name in PYODIDE_CORE:
        shutil.copyfile(PYODIDE / name, runtime / name)
    for wheel in ship:
        shutil.copyfile(wheel, runtime / wheel.name)
    # the notebook app's tab icons, which it asks for under static/ (jupyter_server ships them)
    import jupyter_server
    shutil.copytree(Path(jupyter_server.__file__).parent / "static" / "favicons", out / "static" / "favicons",
                    dirs_exist_ok=True)
    measured = size(out)
    (out / SIZE_FILE).write_text(json.dumps(measured, indent=1) + "\n")
    return measured


def build_site(app):
    if app.builder.format != "html":
        return
    write_downloads(Path(app.outdir) / DOWNLOADS)
    out = Path(app.outdir) / "lite"
    try:
        measured = build(out)
    except LiteError as error:
        logger.warning(f"the in-browser exercises were not built: {error}")
        return
    # the exercises page reports the size from this file (its cell reads the variable)
    os.environ["COURSE_LITE_DIR"] = str(out)
    logger.info(f"in-browser exercises: {out} ({measured['bytes'] / 1e6:.1f} MB)")


def lite_url(exercise, docname):
    """The link from page ``docname`` that opens ``exercise`` in the in-browser notebook app."""
    return "../" * docname.count("/") + f"lite/notebooks/index.html?path={exercise}.ipynb"


def download_url(exercise, docname):
    """The link from page ``docname`` to ``exercise``'s download."""
    return "../" * docname.count("/") + f"{DOWNLOADS}/{exercise}.zip"


LITE_ROLE = re.compile(r"\{lite\}`(\w+)`")


def as_markdown(markdown):
    """Markdown with each ``lite`` role written out for a notebook download, where a link into
    the site would lead nowhere."""
    return LITE_ROLE.sub("the link on the course site's exercises page", markdown)


def lite_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    exercise = text.strip()
    if not (ROOT / "exercises" / exercise / f"{exercise}.ipynb").exists():
        message = inliner.reporter.error(f"no exercise {exercise!r} in exercises/", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    node = nodes.reference(rawtext, "Work in the browser", refuri=lite_url(exercise, env.docname),
                           classes=["lite-link"])
    download = nodes.reference("", "download", refuri=download_url(exercise, env.docname),
                               classes=["download-link"])
    return [node, nodes.Text(" or "), download], []


def setup(app):
    app.connect("builder-inited", build_site)
    app.add_role("lite", lite_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
