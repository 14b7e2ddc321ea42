"""The records the grader passes around: a catalogued mistake, and the
judge's report on one notebook (JSON as it is, ``judge/<notebook>.json``,
which ``make grade`` reads)."""

from typing import Callable, NamedTuple, Optional, TypedDict


class Named(TypedDict):
    """A catalogued mistake by its identity: its function and its name (``Mistake``)."""
    function: str
    name: str


class Verdict(TypedDict, total=False):
    """One test cell's verdict: passed or not, and what the student reads;
    ``solves``, when the answer solves another id's variant, that variant's name;
    ``mistakes``, the catalogued mistakes its message names (none when it names none),
    which the class report counts (``class_report.py``)."""
    passed: bool
    message: str
    solves: str
    mistakes: list[Named]


class Report(TypedDict):
    """The judge's report on one notebook. ``status`` is "graded" or "not
    graded" (then ``reason`` says why and ``tests`` is empty); ``outputs``
    holds each code cell's output as text; ``restored`` the grade ids of the
    test cells nbgrader's sanitising put back (RestoreDeletedTests); ``seconds``
    how long the judge took (its confined worker's start and the cells, then
    every call), written by JudgeTests."""
    status: str
    reason: str
    tests: dict[str, Verdict]
    outputs: list
    restored: list[str]
    seconds: float


class Mistake(NamedTuple):
    """A wrong variant of a contract function and what a student who made it
    should read.

    ``wrong(ref, *args, **kwargs)`` computes what the mistaken code returns,
    from the reference module ``ref`` (or, ``per_variant``, from the
    student's ``coursework.variants.Variant``; it raises where the mistake
    cannot be made in that variant); ``raises`` instead matches the error
    the mistaken code raises ("ErrorType: message"). ``example`` is code a
    student might write with that mistake: the test suite submits it through
    ``make grade`` and checks that the message reaches the feedback.
    """
    function: str
    name: str
    message: str
    wrong: Optional[Callable]
    example: str
    raises: Optional[str] = None
    per_variant: bool = False
