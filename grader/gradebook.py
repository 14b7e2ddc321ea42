"""The course's own nbgrader gradebook (``gradebook.db`` at the course
root), kept as nbgrader's autograde would leave it: ``make grade`` grades
each submission in a scratch course, then ``record`` copies the result
there with nbgrader's ``Gradebook`` API, so that ``nbgrader export``,
``nbgrader generate_feedback``, ``nbgrader release_feedback`` and formgrader
see the marks ``grades.csv`` shows.

A notebook that was not graded has no submission in the course's gradebook
(a previous run's is removed), as a notebook nbgrader never autograded has
none: its row in grades.csv says why.
"""

from nbgrader.api import Gradebook, MissingEntry


def _structure(gb, assignment):
    """The assignment of the scratch gradebook ``assignment`` (its notebooks and
    cells, as generate_assignment recorded them), made in ``gb`` where missing."""
    gb.update_or_create_assignment(assignment.name, duedate=assignment.duedate)
    for notebook in assignment.notebooks:
        gb.update_or_create_notebook(notebook.name, assignment.name)
        for cell in notebook.grade_cells:
            gb.update_or_create_grade_cell(cell.name, notebook.name, assignment.name,
                                           max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in notebook.task_cells:
            gb.update_or_create_task_cell(cell.name, notebook.name, assignment.name,
                                          max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in notebook.solution_cells:
            gb.update_or_create_solution_cell(cell.name, notebook.name, assignment.name)
        for cell in notebook.source_cells:
            gb.update_or_create_source_cell(cell.name, notebook.name, assignment.name, cell_type=cell.cell_type,
                                            locked=cell.locked, source=cell.source, checksum=cell.checksum)


def course_gradebook(root):
    """The course's gradebook at ``root``, open (created when missing, as nbgrader creates it)."""
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def record(gb, scratch, assignment, student, structured=None):
    """Copy ``student``'s graded ``assignment`` from the scratch gradebook at
    ``scratch`` into the course's, ``gb``: the submission, its timestamp, each
    cell's automatic score and comment, the late penalty. ``structured``: the
    assignments whose structure this run has made in ``gb`` already (every
    scratch gradebook of an assignment holds the same, from its one template),
    which this adds to."""
    structured = set() if structured is None else structured
    with Gradebook(f"sqlite:///{scratch}") as job:
        source = job.find_submission(assignment, student)
        if assignment not in structured:
            _structure(gb, source.assignment)
            structured.add(assignment)
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student, timestamp=source.timestamp)
        for notebook in source.notebooks:
            target = gb.find_submission_notebook(notebook.name, assignment, student)
            target.late_submission_penalty = notebook.late_submission_penalty
            for grade in notebook.grades:
                mark = gb.find_grade(grade.name, notebook.name, assignment, student)
                mark.auto_score, mark.manual_score = grade.auto_score, grade.manual_score
                mark.extra_credit, mark.needs_manual_grade = grade.extra_credit, grade.needs_manual_grade
            for comment in notebook.comments:
                gb.find_comment(comment.name, notebook.name, assignment, student).auto_comment = comment.auto_comment
        gb.db.commit()


def forget(gb, assignment, student):
    """Remove ``student``'s submission of ``assignment`` from the course's gradebook ``gb``, if it has one."""
    try:
        gb.remove_submission(assignment, student)
    except MissingEntry:
        pass
