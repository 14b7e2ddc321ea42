"""TruncateOutput: keeps a cell that prints megabytes from bloating the graded notebook and its feedback."""

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class TruncateOutput(NbGraderPreprocessor):
    """Cut each text output after `max_chars` characters (nbgrader's LimitOutput counts lines)."""

    max_chars = Integer(20000, help="characters kept of each text output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and len(output.text) > self.max_chars:
                output.text = output.text[:self.max_chars] + "\n... output truncated by the grader ...\n"
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and len(value) > self.max_chars and mime.startswith("text/"):
                    output.data[mime] = value[:self.max_chars] + "\n... output truncated by the grader ..."
        return cell, resources
