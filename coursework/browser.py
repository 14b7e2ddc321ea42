"""The in-browser kernel's errors named as desktop Jupyter names them.

JupyterLite's Pyodide kernel (jupyterlite-pyodide-kernel 0.6.1, and 0.8.7 the
same) records a failed cell's error type as ``str(etype)``, "<class
'ValueError'>", where IPython on a desktop records "ValueError". That name is
what a notebook keeps in the error's ``ename`` field, and what Jupyter and VS
Code show when an error has no traceback to show. ``name_errors_by_type``
corrects the record of every error raised after it runs; each exercise's
first cell runs it by importing ``coursework``. It changes nothing else, and
nothing outside that kernel.
"""


def name_errors_by_type(shell):
    """Make ``shell`` (the Pyodide kernel's IPython shell) record an error's type by its name."""
    record = shell._showtraceback

    def _showtraceback(etype, evalue, stb):
        record(etype, evalue, stb)
        last = getattr(shell, "_last_traceback", None)
        if isinstance(last, dict) and isinstance(etype, type):
            last["ename"] = etype.__name__

    shell._showtraceback = _showtraceback


def correct_the_kernel():
    """Apply ``name_errors_by_type`` once, inside JupyterLite's Pyodide kernel only."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not type(shell).__module__.startswith("pyodide_kernel"):
        return
    if not getattr(shell, "_course_names_errors", False):
        name_errors_by_type(shell)
        shell._course_names_errors = True
