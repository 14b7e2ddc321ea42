"""RestoreDeletedTests: nbgrader's OverwriteCells, putting a deleted test cell back where it belongs."""

from nbgrader.preprocessors import OverwriteCells


class RestoreDeletedTests(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted test cells put back after the
    nearest earlier cell the student kept, whatever its kind. nbgrader 0.9.6
    looks only at the cell just before the deleted one and fails with a
    KeyError, grading nothing, when that cell is not a solution or test cell
    (a locked markdown cell, say). A restored cell is graded like any other:
    its points come from the judge, not from what it contains. The grade ids
    it restored are recorded, as data, in the notebook's metadata
    (``course.restored``); JudgeTests copies them into the judge's report,
    where ``make grade`` reads them."""

    def add_missing_grade_cells(self, nb, resources):
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        grade_cells = {c.name: c for c in source.grade_cells}
        solutions = {c.name for c in source.solution_cells}
        last = -1  # where the previous cell of the source notebook is in nb
        restored = []
        for source_cell in source.source_cells:
            kept = [i for i, c in enumerate(nb.cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == source_cell.name]
            if kept:
                last = kept[0]
            elif source_cell.name in grade_cells:
                self.log.warning("Missing grade cell %s encountered, adding to notebook", source_cell.name)
                nb.cells.insert(last + 1, self.missing_cell_transform(
                    source_cell, grade_cells[source_cell.name].max_score,
                    is_solution=source_cell.name in solutions))
                last += 1
                restored.append(source_cell.name)
        if restored:
            nb.metadata.setdefault("course", {})["restored"] = restored
        return nb, resources
