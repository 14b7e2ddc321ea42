"""The course's grader: instructor-only, never on a sandbox's path, never served.

The trust boundary is a process boundary, and the file names show it:

    assignments/chNN_*.py  one file per assignment: its hidden cases (TESTS), its derive
                     tasks' references for every variant (*_of), its catalogue of known
                     mistakes (MISTAKES), the earlier functions its sandbox is given (GIVEN)
    schema.py        the records passed around: a catalogued Mistake
    judge.py         trusted: draws the hidden cases, runs the reference, compares, scores
    worker.py        the only file of this package a sandbox sees: runs the notebook's cells,
                     calls the functions the judge names, returns plain data
                     (coursework/wire.py is the codec of both sides)
    sandbox.py       the bubblewrap command line of the worker, its limits, and what it
                     mounts: coursework/ (what students receive) and the earlier functions
    visible.py       coursework/examples.txt: what each mistake gives on the visible examples
    preprocessors/   nbgrader preprocessors: JudgeTests puts the judge's verdicts into nbgrader,
                     RestoreDeletedTests puts deleted test cells back and records which
    autograde.py     one submission through nbgrader's API (autograde, generate_feedback)
    feedback_exporter.py  the feedback pages' exporter: nbconvert's, its templates compiled once
    class_run.py     ``make grade``: a forked child per submission (stage, autograde) -> rows
    cluster.py       ``SCHEDULER=... make grade``: the same grading of each submission on Dask workers
    grading_server.py  a Dask worker's warm grading process, which forks a child per submission
    report.py        grades.csv, the pages of notebooks not graded, progress
    class_report.py  report.html: the class at a glance (counts, marks, mistakes per function)
    mathml.py        a feedback page's math as MathML, written with the page
    gradebook.py     each graded submission recorded in the course's own gradebook.db
    similarity.py    the pairs of near-identical answers, for the instructor to look at
    add_cells.py     writes cells with nbgrader's metadata into a solution notebook

Student code runs only in the sandbox; the judge runs in nbgrader's process
and keeps the reference, the cases, the tolerances and the mistake
catalogue there. The book's code (``backprop``) and what students receive
(``coursework``) never import this package.
"""
