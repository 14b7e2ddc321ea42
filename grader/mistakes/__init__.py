"""The catalogue of known mistakes, filed by chapter, each written once.

The judge names a mistake when the student's wrong answer equals what the
mistaken code gives on the same input (``matching``); the visible tests use
the same catalogue where the course's grader is installed.
"""

import copy
import re

import numpy as np

from backprop import network as reference
from backprop.checks import difference

from . import (ch01_neuron_model, ch02_sigmoid, ch03_output_error, ch04_hidden_error,
               ch05_update_rules, ch06_termination, ch07_learning_rate, ch08_putting_it_together)
from .mistake import Mistake

CATALOGUE = [mistake for chapter in (ch01_neuron_model, ch02_sigmoid, ch03_output_error,
                                     ch04_hidden_error, ch05_update_rules, ch06_termination,
                                     ch07_learning_rate, ch08_putting_it_together)
             for mistake in chapter.MISTAKES]

__all__ = ["CATALOGUE", "Mistake", "for_function", "matching"]


def for_function(name):
    """The catalogued mistakes of one contract function."""
    return [m for m in CATALOGUE if m.function == name]


def matching(name, args, kwargs=None, got=None, raised=None, rtol=1e-6, atol=1e-9):
    """Messages of the catalogued mistakes of ``name`` that explain an answer:
    one that returned ``got`` on ``args``, or raised ``raised`` ("Type: message")."""
    found = []
    for mistake in for_function(name):
        if raised is not None:
            if mistake.raises and re.search(mistake.raises, raised):
                found.append(mistake.message)
            continue
        if mistake.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(reference, *copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
        except Exception:
            continue
        if difference(got, wrong, rtol, atol) is None:
            found.append(mistake.message)
    return found
