"""An exercise worked in the browser, in JupyterLite, driven in Debian's Chromium
through Playwright; ``make bench-lite`` times its cold start.

The browser test (``tests/integration/test_in_browser.py``) works an exercise
with these functions: fills in the cells as a student does, runs them all,
reads what each cell printed, downloads the notebook. Run as a script, this
serves the built site (``make book`` first) on 127.0.0.1 and opens an exercise
ROUNDS times, each in a new browser profile with an empty cache: the seconds
until the kernel is idle (the cold start), the seconds to run all cells, and
the seconds until the kernel is idle when the exercise is opened again in
the same browser (a later visit, cache and storage kept) go to
``benchmarks/results/in_browser.json``, which the exercises page quotes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "in_browser.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# as root and headless; no background traffic, which a closed network refuses
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"]
KERNEL_TIMEOUT_MS = 240_000


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    # JupyterLite's service worker and wasm need their proper types
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser closed while a file was on its way: nothing to report


@contextlib.contextmanager
def serve(folder):
    """The base URL of ``folder`` served on 127.0.0.1 while the block runs."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


def same_origin_only(context, base):
    """Abort every request that would leave ``base``'s origin; return the list they are recorded in."""
    origin, outside = urlparse(base).netloc, []

    def route(request_route):
        if urlparse(request_route.request.url).netloc == origin:
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    return outside


def notebook_url(base, exercise):
    return f"{base}/lite/notebooks/index.html?path={exercise}.ipynb"


def open_exercise(context, base, exercise):
    """A page with ``exercise`` open and its kernel idle, and the seconds that took."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(notebook_url(base, exercise))
    page.wait_for_function(
        """() => { const w = window.jupyterapp && jupyterapp.shell.currentWidget;
                   const kernel = w && w.sessionContext && w.sessionContext.session
                                  && w.sessionContext.session.kernel;
                   return kernel && kernel.status === 'idle'; }""",
        timeout=KERNEL_TIMEOUT_MS, polling=250)
    return page, time.perf_counter() - start


def reopen(context, base, exercise):
    """A later visit: ``exercise`` opened in a new tab of the same browser, once its notebook is loaded."""
    page = context.new_page()
    page.goto(notebook_url(base, exercise))
    page.wait_for_function("() => { const w = window.jupyterapp && jupyterapp.shell.currentWidget;"
                           " return w && w.context && w.context.isReady; }", timeout=KERNEL_TIMEOUT_MS)
    return page


def set_cells(page, sources):
    """Type ``sources`` ({grade id: source}) into the open notebook's cells; the
    STUDENT_ID cell's id is ``student_id``."""
    missing = page.evaluate(
        """(sources) => { const left = new Set(Object.keys(sources));
           for (const cell of jupyterapp.shell.currentWidget.content.widgets) {
             const id = (cell.model.getMetadata('nbgrader') || {}).grade_id
                        || (cell.model.getMetadata('course') || {}).grade_id;
             if (id in sources) { cell.model.sharedModel.setSource(sources[id]); left.delete(id); } }
           return [...left]; }""", sources)
    assert not missing, f"no cells {missing} in the notebook"


def run_all(page):
    """Run every cell from the top, as Run All does; the seconds it took."""
    start = time.perf_counter()
    page.evaluate("async () => { await jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function("jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=KERNEL_TIMEOUT_MS, polling=250)
    return time.perf_counter() - start


def outputs(page):
    """{grade id: [(output type, its text)]} of every code cell with a grade id."""
    return page.evaluate(
        """() => { const found = {};
           for (const cell of jupyterapp.shell.currentWidget.content.widgets) {
             if (cell.model.type !== 'code') continue;
             const id = (cell.model.getMetadata('nbgrader') || {}).grade_id
                        || (cell.model.getMetadata('course') || {}).grade_id;
             if (!id) continue;
             found[id] = cell.model.outputs.toJSON().map(o => [o.output_type,
               o.output_type === 'stream' ? [].concat(o.text).join('')
               : o.output_type === 'error' ? o.ename + ': ' + o.evalue
               : JSON.stringify(o.data || {})]); }
           return found; }""")


def source_of(page, grade_id):
    return page.evaluate(
        """(id) => { for (const cell of jupyterapp.shell.currentWidget.content.widgets)
           if ((cell.model.getMetadata('nbgrader') || {}).grade_id === id) return cell.model.sharedModel.getSource();
           return null; }""", grade_id)


def save_and_download(page, target):
    """Download the open notebook to ``target`` as a student does, by clicking File, then Download
    (the menu item the site's ``lite/overrides.json`` adds; it saves the notebook first)."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="Download", exact=True).click()
    download.value.save_as(target)
    return target


def solved(exercise, student_id):
    """The cells a student who solved ``exercise`` typed, by grade id: the course's
    solutions, which solve every variant, and ``student_id`` in the STUDENT_ID cell
    of an exercise with variants."""
    import nbformat

    nb = nbformat.read(ROOT / "solutions" / exercise / f"{exercise}.ipynb", as_version=4)
    sources = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in nb.cells
               if cell.metadata.get("nbgrader", {}).get("solution")}
    if any(cell.metadata.get("course", {}).get("grade_id") == "student_id" for cell in nb.cells):
        sources["student_id"] = f"STUDENT_ID = {student_id!r}"
    return sources


def chromium_version():
    done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
    return done.stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default=str(ROOT / "_build" / "html"), help="the built site (make book)")
    parser.add_argument("--exercise", default="ch03_output_error")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not (Path(args.site) / "lite").exists():
        raise SystemExit(f"no in-browser exercises in {args.site}: run `make book` first")
    cold, runs, reopened = [], [], []
    with serve(args.site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for round_ in range(args.rounds):
            context = browser.new_context()  # a new profile: empty cache and storage
            outside = same_origin_only(context, base)
            page, seconds = open_exercise(context, base, args.exercise)
            cold.append(seconds)
            set_cells(page, solved(args.exercise, "bench-student"))
            runs.append(run_all(page))
            failed = {cell: out for cell, out in outputs(page).items() if any(kind == "error" for kind, _ in out)}
            assert not failed, f"the solved exercise failed in the browser: {failed}"
            page.close()
            # a later visit: the same browser, its cache and storage kept
            page, seconds = open_exercise(context, base, args.exercise)
            reopened.append(seconds)
            context.close()
            assert not outside, f"requests left the site: {outside}"
            print(f"round {round_ + 1}: kernel idle after {cold[-1]:.1f} s, all cells run in {runs[-1]:.1f} s, "
                  f"kernel idle again after {reopened[-1]:.1f} s on a later visit")
        browser.close()
    result = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {chromium_version()}",
        "exercise": args.exercise, "rounds": args.rounds,
        "cold_start_s": {"min": min(cold), "median": statistics.median(cold), "max": max(cold)},
        "run_all_s": {"min": min(runs), "median": statistics.median(runs), "max": max(runs)},
        "reopen_s": {"min": min(reopened), "median": statistics.median(reopened), "max": max(reopened)},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
