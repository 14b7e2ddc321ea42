"""nbgrader configuration of the course.

solutions/ holds the one hand-written copy of every assignment (nbgrader's
source directory); exercises/ is what `nbgrader generate_assignment` makes of
it for students (the release directory). Instructors grade in this directory
with `make grade` (backprop/grade_class.py), which runs nbgrader with this
configuration on submitted/<student>/<assignment>/.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds, Execute,
    GetGrades, IgnorePattern, LimitOutput, OverwriteKernelspec, SaveAutoGrades)

from backprop.screening import RestoreDeletedTests, ScreenAnswers, ShortenTracebacks, TruncateOutput

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A student who deletes a test cell gets it back from the gradebook and is
# graded on it, rather than silently scoring zero for it (RestoreDeletedTests
# is nbgrader's OverwriteCells with the cell put back in the right place).
c.OverwriteCells.add_missing_cells = True
# Seconds a single cell may run during autograding (`make grade` reports a
# cell that runs longer as "timed out" instead of grading the rest).
c.Execute.timeout = 60

# nbgrader's own steps, with RestoreDeletedTests for OverwriteCells, plus two:
# before anything runs, each cell the student controls is read for code that
# would tamper with the grading (rebinding np.allclose or check, importing the
# reference, reaching the kernel) and such a cell is stopped with the reason;
# after it runs, outputs are cut to a size a feedback page can show.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreDeletedTests, ScreenAnswers, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, TruncateOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]

# Feedback shows each test's points and message, never the code of a hidden
# test: its region is cleared from the cells before they are rendered, and a
# test cell's error shows its last line, not a traceback quoting the test.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortenTracebacks,
                                    CSSHTMLHeaderPreprocessor]
