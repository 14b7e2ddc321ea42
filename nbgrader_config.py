"""nbgrader configuration of the course.

solutions/ holds the one hand-written copy of every assignment (nbgrader's
source directory); exercises/ is what `nbgrader generate_assignment` makes of
it for students (the release directory). Instructors grade in this directory
with `make grade` (grader/class_run.py), which runs nbgrader with this
configuration on submitted/<student>/<assignment>/.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades, LimitOutput,
    OverwriteKernelspec, SaveAutoGrades)

from grader.feedback_exporter import FeedbackExporter
from grader.preprocessors import JudgeTests, RestoreDeletedTests, SanitizeMarkdown

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A student who deletes a test cell gets it back from the gradebook and is
# graded on it, rather than silently scoring zero for it (RestoreDeletedTests
# is nbgrader's OverwriteCells with the cell put back in the right place).
c.OverwriteCells.add_missing_cells = True

# nbgrader's own steps, with RestoreDeletedTests for OverwriteCells and
# JudgeTests for Execute: no Jupyter kernel runs a submission. The judge
# (grader/judge.py) runs the notebook's code cells in a confined worker of
# its own, gives each cell its outputs as text, calls the student's
# functions there and compares them with the reference in its own process;
# every test cell's output is its verdict, so the points are the judge's alone.
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                      RestoreDeletedTests, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [JudgeTests, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                       AssignLatePenalties, CheckCellMetadata]

# Feedback shows each test's points and the judge's message. Markdown the
# student wrote is sanitised after it is rendered (no script, no event
# handler, no outside link or image survives); `make grade` adds a
# Content-Security-Policy and writes the math as MathML.
c.GenerateFeedback.preprocessors = [GetGrades, SanitizeMarkdown, CSSHTMLHeaderPreprocessor]
# nbconvert's HTMLExporter, its compiled Jinja templates kept by the process that forks the graders
c.GenerateFeedback.exporter_class = FeedbackExporter

# `nbgrader export` writes nbgrader's own CSV beside `make grade`'s grades.csv, not over it
# (make grade records its marks in gradebook.db, so the two agree)
c.CsvExportPlugin.to = "nbgrader_grades.csv"
