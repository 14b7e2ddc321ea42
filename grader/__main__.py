"""``python -m grader``: grade a class (``make grade``; see class_run.py)."""

from .class_run import main

main()
