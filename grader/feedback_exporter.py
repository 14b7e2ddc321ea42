"""The exporter of nbgrader's feedback pages: nbconvert's HTMLExporter, with Jinja's
compiled templates kept for the life of the process.

nbgrader makes a new exporter for every ``generate_feedback``, and each new
exporter makes a new Jinja environment, which compiled the nine templates of a
feedback page again: a quarter of a second of every notebook's grading on the
course's machine. Kept in a ``jinja2.BytecodeCache`` that the environments share,
they are compiled once by the process that warms up (``autograde.warm_up``) and
inherited by every grading child it forks. Jinja checks each template's source
against the checksum it was compiled from, so an edited template is compiled
again; the pages are the same.
"""

from jinja2 import BytecodeCache
from nbconvert.exporters import HTMLExporter


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory: {key: (the source's checksum, code)}."""

    def __init__(self):
        self.kept = {}

    def load_bytecode(self, bucket):
        checksum, code = self.kept.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.kept[bucket.key] = (bucket.checksum, bucket.code)


COMPILED = CompiledTemplates()


class FeedbackExporter(HTMLExporter):
    """HTMLExporter whose Jinja environment uses the process's ``COMPILED`` templates
    (configured as ``GenerateFeedback.exporter_class`` in nbgrader_config.py)."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED
        return environment
