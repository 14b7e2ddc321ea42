"""The course's nbgrader preprocessors, one per file, composed in
``nbgrader_config.py``: RestoreDeletedTests (sanitizing), JudgeTests and
TruncateOutput (autograding)."""

from .judge_tests import JudgeTests
from .restore_deleted_tests import RestoreDeletedTests
from .truncate_output import TruncateOutput

__all__ = ["JudgeTests", "RestoreDeletedTests", "TruncateOutput"]
