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
reads what comes back as data alone: ``decode`` below rebuilds exact
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
import base64
import io
import json
import linecache
import os
import re
import sys
import traceback
import warnings

MAX_MESSAGE = 64 * 2**20   # bytes; a reply longer than this is refused
MAX_DEPTH = 32             # nesting of lists, tuples and dicts
MAX_OUTPUT = 20000         # characters kept of a cell's printed output, result or traceback
TRUNCATED = "\n... output truncated by the grader ...\n"
# what a numeric array may hold: nothing with objects, strings or fields inside
ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float16", "float32", "float64"}


class WireError(ValueError):
    """A message that is not what the protocol allows."""


class Foreign:
    """A value the student's code returned that is not plain data: only the
    name of its type crosses the boundary (``decode`` makes a subclass named
    after it, so that messages can say "got a MyStr")."""

    def __repr__(self):
        return f"a {type(self).__name__}"


_FOREIGN = {}


def foreign(type_name):
    name = re.sub(r"\W", "_", str(type_name))[:60] or "object"
    if name not in _FOREIGN:
        _FOREIGN[name] = type(name, (Foreign,), {"__module__": "student"})
    return _FOREIGN[name]()


def encode(value, depth=0):
    """``value`` as JSON-ready data, by its exact type; anything else becomes
    {"other": type name}."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is np.ndarray or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
        array = np.asarray(value)
        if type(array) is not np.ndarray or array.dtype.name not in ARRAY_DTYPES or array.dtype.fields:
            return {"other": f"array of {array.dtype}"}
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        return {"array": array.dtype.name, "shape": list(array.shape),
                "data": base64.b64encode(data).decode("ascii")}
    if kind in (list, tuple):
        return {kind.__name__: [encode(v, depth + 1) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"dict": [[k, encode(v, depth + 1)] for k, v in value.items()]}
    return {"other": kind.__name__}


def decode(data, depth=0):
    """The value ``encode`` described, rebuilt from exact built-in types and
    plain numpy arrays only; raises WireError on anything else."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) not in (1, 3):
        raise WireError("not an encoded value")
    if set(data) == {"array", "shape", "data"}:
        dtype, shape, raw = data["array"], data["shape"], data["data"]
        if (type(dtype) is not str or dtype not in ARRAY_DTYPES or type(shape) is not list
                or len(shape) > 16 or not all(type(n) is int and 0 <= n for n in shape)
                or type(raw) is not str):
            raise WireError("not a plain numeric array")
        dt = np.dtype(dtype).newbyteorder("<")
        buffer = base64.b64decode(raw.encode("ascii"), validate=True)
        if len(buffer) != dt.itemsize * int(np.prod(shape, dtype=np.int64)):
            raise WireError("array data of the wrong length")
        return np.frombuffer(buffer, dtype=dt).astype(np.dtype(dtype)).reshape(shape)
    (tag, inner), = data.items()
    if tag in ("list", "tuple") and type(inner) is list:
        items = [decode(v, depth + 1) for v in inner]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and type(inner) is list and all(
            type(p) is list and len(p) == 2 and type(p[0]) is str for p in inner):
        return {k: decode(v, depth + 1) for k, v in inner}
    if tag == "other" and type(inner) is str:
        return foreign(inner)
    raise WireError(f"unknown value {tag!r}")


def write_message(stream, message):
    payload = json.dumps(message).encode()
    stream.write(b"%d\n" % len(payload) + payload)
    stream.flush()


def read_message(stream):
    header = stream.readline(24)
    if not header:
        raise EOFError
    size = int(header)
    if not 0 <= size <= MAX_MESSAGE:
        raise WireError("message too long")
    payload = stream.read(size)
    if len(payload) != size:
        raise EOFError
    return json.loads(payload)


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
        error = [*_error(raised), _cut("".join(lines)).splitlines()]
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

    namespace = {"__name__": "__main__", "get_ipython": _NoShell, "display": lambda *a, **k: None}
    cells = read_message(incoming)["cells"]
    write_message(outgoing, {"ran": [run_cell(source, i, namespace) for i, source in enumerate(cells)]})

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
