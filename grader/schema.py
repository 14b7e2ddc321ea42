"""The records the grader passes around: a catalogued mistake."""

from typing import Callable, NamedTuple, Optional


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
