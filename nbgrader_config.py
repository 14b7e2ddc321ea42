"""nbgrader configuration of the course.

solutions/ holds the one hand-written copy of every assignment (nbgrader's
source directory); exercises/ is what `nbgrader generate_assignment` makes of
it for students (the release directory). Instructors grade in this directory:
submissions go in submitted/<student>/<assignment>/.
"""

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A student who deletes a test cell gets it back from the gradebook and is
# graded on it, rather than silently scoring zero for it.
c.OverwriteCells.add_missing_cells = True
# Seconds a single cell may run during autograding (`make grade` reports a
# cell that runs longer as "timed out" instead of grading the rest).
c.Execute.timeout = 60

# Before anything runs, each cell the student controls is read for code that
# would tamper with the grading (rebinding np.allclose or check, importing
# the reference, reaching the kernel); such a cell is stopped with the reason.
# Outputs are cut to a size a feedback page can show.
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, Execute, IgnorePattern,
    LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from backprop.screening import ScreenAnswers, TruncateOutput  # noqa: E402

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      OverwriteCells, ScreenAnswers, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, TruncateOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]

# Feedback shows each test's points and message, never the code of a hidden
# test: its region is cleared from the cells before they are rendered.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
