"""The course's nbgrader preprocessors, one per file, composed in
``nbgrader_config.py``: RestoreDeletedTests (sanitizing) and JudgeTests
(autograding, in the place of nbgrader's Execute)."""

from .judge_tests import JudgeTests
from .restore_deleted_tests import RestoreDeletedTests

__all__ = ["JudgeTests", "RestoreDeletedTests"]
