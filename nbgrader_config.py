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
# Seconds a single cell may run during autograding.
c.ExecutePreprocessor.timeout = 60

# Feedback shows each test's points and message, never the code of a hidden
# test: its region is cleared from the cells before they are rendered.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
