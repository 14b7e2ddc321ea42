"""The course's nbgrader preprocessors, one per file, composed in
``nbgrader_config.py``: RestoreDeletedTests (sanitizing), JudgeTests
(autograding, in the place of nbgrader's Execute) and SanitizeMarkdown
(feedback)."""

from .judge_tests import JudgeTests
from .restore_deleted_tests import RestoreDeletedTests
from .sanitize_markdown import SanitizeMarkdown

__all__ = ["JudgeTests", "RestoreDeletedTests", "SanitizeMarkdown"]
