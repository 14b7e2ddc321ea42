"""The catalogue of known mistakes, filed by chapter, each written once.

The judge names a mistake when the student's wrong answer equals what the
mistaken code gives on the same input (``matching``); the visible tests use
the same catalogue where the course's grader is installed.
"""

import copy
import importlib
import pkgutil
import re

import numpy as np

from backprop import network as reference
from backprop.checks import difference

from .mistake import Mistake

# every chapter's module, chNN_<name>, found by its name: a new assignment needs no entry here
CATALOGUE = [mistake for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
             if info.name.startswith("ch")
             for mistake in importlib.import_module(f"{__name__}.{info.name}").MISTAKES]

__all__ = ["CATALOGUE", "Mistake", "for_function", "matching"]


def for_function(name):
    """The catalogued mistakes of one contract function."""
    return [m for m in CATALOGUE if m.function == name]


def matching(name, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9, variant=None):
    """Messages of the catalogued mistakes of ``name`` that explain an answer:
    one that returned ``got`` on ``args``, or raised ``raised`` ("Type: message").
    A task with variants passes the student's ``Variant``: its mistakes are
    computed for it (and say nothing of another variant's)."""
    found = []
    for mistake in for_function(name):
        if raised is not None and mistake.raises and re.search(mistake.raises, raised):
            found.append(mistake.message)
        if mistake.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(variant if mistake.per_variant else reference,
                                      *copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
        except Exception as error:
            # the mistaken code fails the same way: W instead of W.T on a non-square layer
            if raised is not None and raised == f"{type(error).__name__}: {error}":
                found.append(mistake.message)
            continue
        if raised is None and difference(got, wrong, rtol, atol) is None:
            found.append(mistake.message)
    return found
