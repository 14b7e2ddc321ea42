"""nbgrader configuration of the course.

solutions/ holds the one hand-written copy of every assignment (nbgrader's
source directory); exercises/ is what `nbgrader generate_assignment` makes of
it for students (the release directory). Instructors grade in this directory
with `make grade` (grader/class_run.py), which runs nbgrader with this
configuration on submitted/<student>/<assignment>/.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades,
    IgnorePattern, LimitOutput, OverwriteKernelspec, SaveAutoGrades)

from grader.preprocessors import JudgeTests, RecordingExecute, RestoreDeletedTests, TruncateOutput

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A student who deletes a test cell gets it back from the gradebook and is
# graded on it, rather than silently scoring zero for it (RestoreDeletedTests
# is nbgrader's OverwriteCells with the cell put back in the right place).
c.OverwriteCells.add_missing_cells = True
# Seconds a single cell may run in the kernel during autograding (`make grade`
# reports a notebook whose cells run longer as "timed out").
c.Execute.timeout = 60

# nbgrader's own steps, with RestoreDeletedTests for OverwriteCells and
# RecordingExecute for Execute (it reports a kernel that died), plus two.
# JudgeTests, after the kernel has run the notebook, replaces every test
# cell's outputs with the verdict of the judge (grader/judge.py), which calls
# the student's functions in a separate confined process and compares them
# with the reference in its own: the points are the judge's alone.
# TruncateOutput cuts outputs to a size a feedback page can show.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreDeletedTests, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [RecordingExecute, JudgeTests, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, TruncateOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]

# Feedback shows each test's points and the judge's message.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor]
