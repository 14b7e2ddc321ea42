"""``python -m grader``: grade a class (``make grade``; see class_run.py)."""

from .autograde import without_iri_grammars

without_iri_grammars()  # before anything imports nbformat (jsonschema): see its docstring

from .class_run import main  # noqa: E402

main()
