"""The course's grader: instructor-only, never on a sandbox's path.

The trust boundary is a process boundary, and the file names show it:

    judge.py         trusted: draws the hidden cases, runs the reference, compares, scores
    worker.py        the only file a sandbox sees: runs the notebook's cells, calls the
                     functions the judge names, returns plain data
    sandbox.py       the bubblewrap command line of the worker, its limits, and the
                     cut-down backprop/network.py of earlier chapters it may import
    cases/chNN_*.py  each assignment's hidden tests; mistakes/chNN_*.py  the catalogue of known mistakes
    preprocessors/   nbgrader preprocessors: JudgeTests puts the judge's verdicts into nbgrader
    class_run.py     ``make grade``: stage -> forked nbgrader per submission -> rows
    cluster.py       ``SCHEDULER=... make grade``: the same grading of each submission on Dask workers
    report.py        grades.csv, the pages of notebooks not graded, progress
    similarity.py    the pairs of near-identical answers, for the instructor to look at
    add_cells.py     writes cells with nbgrader's metadata into a solution notebook

Student code runs only in the sandbox; the judge runs in nbgrader's process
and keeps the reference, the cases, the tolerances and the mistake
catalogue there.
"""
