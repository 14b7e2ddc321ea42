"""The sandbox side of grading: run a submission's cells, then call its
functions on the inputs the judge sends and send back what they return, as
plain data.

This file runs inside the bubblewrap sandbox (``sandbox.worker_argv``) as
``python -I -S worker.py SITE_PACKAGES``: no environment, no ``site``, and
nothing of the grader on its path or its disk but this file. It holds no
secret: the reference, the expected values, the tolerances, the case
generator and the mistake catalogue live only in the judge's process, so a
student's code that walks frames, ``gc`` or globals finds the inputs of the
current call and nothing more.

Everything the student's code does is untrusted, this file's code included
once a cell has run (it could rebind anything here). The judge therefore
reads what comes back as data alone: ``coursework.wire.decode`` rebuilds exact
built-in types and plain numeric arrays, or a ``Foreign`` stand-in that
carries a type's name; nothing from this side is unpickled, called or
compared by its own methods.

Messages, both ways, on the pipes the judge opened (the student's own prints
go to /dev/null): the length in ASCII digits, a newline, then that many
bytes of JSON.

    judge -> worker  {"cells": [source, ...]}          once, first
    worker -> judge  {"ran": [output, ...]}            each cell's output, as text:
                     {"stdout": str, "stderr": str, "result": str or None,
                      "error": [type name, message, [traceback line, ...]] or None}
    judge -> worker  {"call": name, "args": [...], "kwargs": {...}, "given": [name, ...]}
    worker -> judge  {"returned": value} | {"raised": [type name, message]} | {"missing": name}

While a call runs, each function named in "given" is the judge's: the
student's code that calls it asks the judge, which answers with the
reference's value, and only for that call.

    worker -> judge  {"given": name, "args": [...], "kwargs": {...}}
    judge -> worker  {"returned": value} | {"raised": [type name, message]}
"""

import ast
import io
import linecache
import os
import sys
import traceback
import warnings

MAX_OUTPUT = 20000         # characters kept of a cell's printed output, result or traceback
MAX_NOTEBOOK_OUTPUT = 200000  # characters kept of all the notebook's cells' outputs together
MAX_LINE = 1000            # characters kept of one line of a traceback
MAX_LINES = 200            # lines kept of a traceback
TRUNCATED = "\n... output truncated by the grader ...\n"
SPENT = f"\n... this and later cells' output cut: the notebook printed over {MAX_NOTEBOOK_OUTPUT:,} characters ...\n"


class _NoShell:
    """What ``get_ipython()`` gives a cell here: magics and shell commands
    do nothing (they act in the student's own Jupyter), so a cell that starts with
    ``%matplotlib inline`` still defines its functions."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _transform(source):
    """A cell's source as Python: IPython syntax (magics, ``!cmd``) is
    translated only when the plain source does not compile."""
    try:
        compile(source, "<cell>", "exec")
        return source
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)


def _error(error):
    try:
        message = str(error)
    except BaseException:
        message = "(its message could not be read)"
    return [type(error).__name__, message[:2000]]


def _cut(text):
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + TRUNCATED


def cut_error(error):
    """An error's [type name, message, traceback lines], each part cut to its limit."""
    name, message, lines = error
    lines = [line if len(line) <= MAX_LINE else line[:MAX_LINE] + " ..." for line in lines[:MAX_LINES]]
    while len(lines) > 1 and sum(map(len, lines)) > MAX_OUTPUT:
        lines = lines[:len(lines) // 2] + ["... traceback truncated by the grader ..."]
    return [name[:200], message[:2000], lines]


def within(outputs, limit=MAX_NOTEBOOK_OUTPUT):
    """The cells' outputs with no more than ``limit`` characters in all: the
    first cells' whole; where the limit is reached, a note; later ones empty."""
    kept = []
    for output in outputs:
        output = dict(output)
        for key in ("stdout", "stderr", "result"):
            text = output[key]
            if text and len(text) > limit:
                output[key] = text[:limit] + SPENT if limit else "" if key != "result" else None
            limit = max(0, limit - len(text or ""))
        if output["error"] is not None:
            size = sum(map(len, output["error"][2]))
            if size > limit:
                output["error"] = [*output["error"][:2], [SPENT] if limit else []]
            limit = max(0, limit - size)
        kept.append(output)
    return kept


def run_cell(source, index, namespace):
    """Run one cell as a notebook does, with what it prints, the value of a
    last expression (its repr) and the error it raised, if any, as text."""
    name = f"<cell {index}>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)  # tracebacks quote the cell
    printed, warned = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = printed, warned
    result = error = None
    try:
        tree = ast.parse(_transform(source), name)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, name, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
            result = None if value is None else _cut(repr(value))
    except BaseException as raised:  # SystemExit and KeyboardInterrupt included: the next cell runs
        frames = raised.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != name:
            frames = frames.tb_next  # the student's frames only, not this file's
        lines = traceback.format_exception(type(raised), raised, frames)
        error = cut_error([*_error(raised), "".join(lines).splitlines()])
    finally:
        sys.stdout, sys.stderr = _NULL, _NULL
    return {"stdout": _cut(printed.getvalue()), "stderr": _cut(warned.getvalue()), "result": result,
            "error": error}


_NULL = open(os.devnull, "w")
_NOTHING = object()


def main():
    # the judge's pipes, kept on new descriptors; the student's prints and reads get /dev/null
    incoming, outgoing = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.stdin, sys.stdout, sys.stderr = open(os.devnull), _NULL, _NULL
    # the student's package (/course) and the environment's libraries; no .pth file is read
    sys.path[:] = ["/course", *sys.path, *sys.argv[1:]]
    import numpy as np

    # the codec is the course's, mounted read-only with the student's package
    from coursework.wire import decode, encode, read_message, write_message

    namespace = {"__name__": "__main__", "get_ipython": _NoShell, "display": lambda *a, **k: None}
    cells = read_message(incoming)["cells"]
    write_message(outgoing, {"ran": within([run_cell(source, i, namespace) for i, source in enumerate(cells)])})

    def given(name):
        """A stand-in for the student's ``name`` that asks the judge for the
        course's answer: lent for one call, so that a function built on another
        is graded on its own (``backward`` with a correct ``hidden_error``)."""
        def ask_the_judge(*args, **kwargs):
            write_message(outgoing, {"given": name, "args": encode(args), "kwargs": encode(kwargs)})
            reply = read_message(incoming)
            if "returned" in reply:
                return decode(reply["returned"])
            raise RuntimeError(f"the course's {name} could not be called on these arguments: {reply['raised']}")
        ask_the_judge.__name__ = name
        return ask_the_judge

    while True:
        request = read_message(incoming)
        name = request["call"]
        function = namespace.get(name)
        if not callable(function):
            write_message(outgoing, {"missing": name})
            continue
        lent = {other: namespace.get(other, _NOTHING) for other in request.get("given", [])}
        try:
            args, kwargs = decode(request["args"]), decode(request["kwargs"])
            namespace.update({other: given(other) for other in lent})
            # numerical trouble counts as an error, as a warning would on the student's screen
            with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
                warnings.simplefilter("error", RuntimeWarning)
                reply = {"returned": encode(function(*args, **kwargs))}
        except BaseException as error:
            reply = {"raised": _error(error)}
        finally:
            for other, own in lent.items():
                namespace.pop(other, None)
                if own is not _NOTHING:
                    namespace[other] = own
        try:
            write_message(outgoing, reply)
        except (TypeError, ValueError):  # numbers JSON cannot hold
            write_message(outgoing, {"raised": ["ValueError", "the value returned cannot be sent"]})


if __name__ == "__main__":
    main()
