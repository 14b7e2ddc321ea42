"""Insert or replace cells of a solution notebook, with nbgrader's metadata
(instructors' tool for writing assignments; ``make assignments`` then
regenerates the student copies).

    python -m grader.add_cells ASSIGNMENT SPEC.py

SPEC.py defines ``CELLS``, a list of dicts: ``kind`` ("markdown" | "given" |
"answer" | "test" | "student id"), ``grade_id``, ``source``, ``points``
(tests) and ``after`` (the grade id of the cell to insert after; the end
when absent). A cell whose grade id exists already is replaced in place.

The "student id" cell is a plain cell the student edits (an nbgrader answer
cell without a solution region would be released as a stub); it is found
by its grade id kept in ``metadata.course``.
"""

import runpy
import sys
import uuid
from pathlib import Path

import nbformat

KINDS = {  # (cell type, grade, solution, locked)
    "markdown": ("markdown", False, False, True),
    "given": ("code", False, False, True),
    "answer": ("code", False, True, False),
    "test": ("code", True, False, True),
}


def grade_id(cell):
    return cell.metadata.get("nbgrader", cell.metadata.get("course", {})).get("grade_id")


def make_cell(spec):
    if spec["kind"] == "student id":
        cell = nbformat.v4.new_code_cell(spec["source"].strip("\n"))
        cell.id = uuid.uuid4().hex[:8]
        cell.metadata = {"course": {"grade_id": spec["grade_id"]}}
        return cell
    cell_type, grade, solution, locked = KINDS[spec["kind"]]
    new = nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_code_cell
    cell = new(spec["source"].strip("\n"))
    cell.id = uuid.uuid4().hex[:8]
    meta = {"grade": grade, "grade_id": spec["grade_id"], "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = spec["points"]
    cell.metadata = {"nbgrader": meta}
    return cell


def main(assignment, spec_file):
    path = Path(__file__).resolve().parent.parent / "solutions" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for spec in runpy.run_path(spec_file)["CELLS"]:
        ids = [grade_id(c) for c in nb.cells]
        cell = make_cell(spec)
        if spec["grade_id"] in ids:
            index = ids.index(spec["grade_id"])
            cell.id = nb.cells[index].get("id", cell.id)
            nb.cells[index] = cell
        elif spec.get("after"):
            nb.cells.insert(ids.index(spec["after"]) + 1, cell)
        else:
            nb.cells.append(cell)
    nbformat.write(nb, path)


if __name__ == "__main__":
    main(*sys.argv[1:])
