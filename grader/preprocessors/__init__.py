"""The course's nbgrader preprocessors, one per file, composed in
``nbgrader_config.py``: RestoreDeletedTests (sanitizing), RecordingExecute,
JudgeTests and TruncateOutput (autograding)."""

from .judge_tests import JudgeTests
from .recording_execute import RecordingExecute
from .restore_deleted_tests import RestoreDeletedTests
from .truncate_output import TruncateOutput

__all__ = ["JudgeTests", "RecordingExecute", "RestoreDeletedTests", "TruncateOutput"]
