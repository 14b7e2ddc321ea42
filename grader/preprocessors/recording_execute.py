"""RecordingExecute: nbgrader's Execute, which lets grading go on when the kernel stops."""

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute


class RecordingExecute(Execute):
    """nbgrader's Execute (configured as ``c.Execute``), for the feedback
    page only: when the student's code kills the kernel or a cell cannot be
    interrupted at its time limit, nbgrader would stop with an error and
    grade nothing. This keeps the outputs made so far, notes what happened in
    ``resources["kernel_stopped"]`` and lets the judge, which runs the code
    in its own worker, decide the marks and the status."""

    def preprocess(self, nb, resources=None, km=None):
        try:
            return super().preprocess(nb, resources, km=km)
        except DeadKernelError:
            resources["kernel_stopped"] = "the kernel running the notebook for its feedback page died"
        except CellTimeoutError:
            resources["kernel_stopped"] = (f"a cell ran past the kernel's limit of {self.timeout} s, "
                                           f"so the feedback page shows the outputs up to it")
        return nb, resources
