"""The wire between the judge and its worker, and the course's data files:
values as JSON-ready data, by their exact type (``encode``), and back
(``decode``), which rebuilds built-in types and plain numeric arrays only.

Both sides of the grading boundary use this file (``grader/worker.py`` in
the sandbox, ``grader/judge.py`` outside it), and the visible checks read the
examples of ``examples.txt`` with it. ``decode`` never calls, unpickles or
compares anything of the sender's: a value that is not plain data comes back
as a ``Foreign`` stand-in that carries only its type's name.
"""

import base64
import json
import math
import re

MAX_MESSAGE = 64 * 2**20   # bytes of one message, either way (the cells of a notebook of up to 20 MB)
MAX_REPLY = 16 * 2**20     # bytes of a worker's reply: 60 times the largest a solution sends
MAX_VALUES = 2**20         # values (numbers, strings, containers, arrays) one decoded message may hold
MAX_NAMES = 64             # distinct type names of foreign values in one message
MAX_DEPTH = 32             # nesting of lists, tuples and dicts
# what a numeric array may hold: nothing with objects, strings or fields inside
ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float16", "float32", "float64"}


class WireError(ValueError):
    """A message that is not what the protocol allows."""


class Foreign:
    """A value the student's code returned that is not plain data: only the
    name of its type crosses the boundary, as text (one class for all of
    them, so that a reply of many type names costs a string each, no class)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = re.sub(r"\W", "_", name[:60]) or "object"

    def __repr__(self):
        return f"a {self.name}"


class _Budget:
    """What one message may still hold while it is decoded."""

    def __init__(self):
        self.values, self.names = MAX_VALUES, set()

    def spend(self, count=1):
        self.values -= count
        if self.values < 0:
            raise WireError(f"more than {MAX_VALUES} values in one message")

    def name(self, name):
        self.names.add(name)
        if len(self.names) > MAX_NAMES:
            raise WireError(f"more than {MAX_NAMES} type names in one message")


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


def decode(data):
    """The value ``encode`` described, rebuilt from exact built-in types and
    plain numpy arrays only; raises WireError on anything else, and on
    more than ``MAX_VALUES`` values or ``MAX_NAMES`` foreign type names."""
    return _decode(data, 0, _Budget())


def _decode(data, depth, budget):
    import numpy as np

    budget.spend()
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
        if len(buffer) != dt.itemsize * math.prod(shape):  # exact: no dimensions can overflow it
            raise WireError("array data of the wrong length")
        return np.frombuffer(buffer, dtype=dt).astype(np.dtype(dtype)).reshape(shape)
    (tag, inner), = data.items()
    if tag in ("list", "tuple") and type(inner) is list:
        items = [_decode(v, depth + 1, budget) for v in inner]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and type(inner) is list and all(
            type(p) is list and len(p) == 2 and type(p[0]) is str for p in inner):
        return {k: _decode(v, depth + 1, budget) for k, v in inner}
    if tag == "other" and type(inner) is str:
        value = Foreign(inner)
        budget.name(value.name)
        return value
    raise WireError(f"unknown value {tag!r}")


def write_message(stream, message):
    payload = json.dumps(message).encode()
    stream.write(b"%d\n" % len(payload) + payload)
    stream.flush()


def read_message(stream, limit=MAX_MESSAGE):
    header = stream.readline(24)
    if not header:
        raise EOFError
    size = int(header)
    if not 0 <= size <= limit:
        raise WireError("message too long")
    payload = stream.read(size)
    if len(payload) != size:
        raise EOFError
    return json.loads(payload)
