"""Sphinx extension with the course site's own needs.

* Every chapter written as a MyST Markdown notebook is offered as an
  ``.ipynb`` download, converted from its source at build time (the theme's
  download menu shows the entry when ``ipynb_source`` is set), made for the
  notebook's reader: computed values in the prose, MyST written out as
  plain Markdown with the numbers, titles and citations of this build, no
  authoring lines (``notebook_download.py``).
* The exercises are built to run in the browser, in JupyterLite
  (``in_browser.py``).
* The code cells a page shows leave out the lines that are there for the
  authors (the glue import, glue calls, asserts), as the downloads do; the
  outputs stay as they were computed.
* sphinx-thebe, which Jupyter Book always loads, is taken off the pages:
  the course runs no remote kernels, and its inline script is injected twice
  (a console error) and names a CDN.
"""

from pathlib import Path
from types import SimpleNamespace

import jupytext
import in_browser
from docutils import nodes
from docutils.nodes import make_id
from graded_code import as_markdown
from notebook_download import Build, DownloadError, load_glue_data, reader_notebook, strip_authoring
from pybtex.richtext import Text
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


def glue_lookup(app, pagename):
    """key -> the value a page glued, as myst-nb saved it when it read the executed page
    (``doc::key`` names a value of another page, as in the site's roles)."""
    folder = Path(app.env.mystnb_config.output_folder)  # <build>/jupyter_execute
    pages = {}

    def lookup(key):
        docname = pagename
        if "::" in key:
            path, key = key.split("::", 1)
            docname = app.env.path2doc(app.env.relfn2path(path, pagename)[1]) or path
        if docname not in pages:
            pages[docname] = load_glue_data(folder.joinpath(*(docname + ".glue.json").split("/")))
        return pages[docname][key]
    return lookup


def build_references(app, pagename):
    """What this build resolved, for page ``pagename``'s download (``notebook_download.Build``):
    references through the domains that resolve them on the site, equation numbers as the HTML
    writer numbers them, works from the bibliography sphinxcontrib-bibtex loaded."""
    env = app.env

    def reference(role, target, text):
        domain = "math" if role == "eq" else "std"
        shown = text or target
        node = addnodes.pending_xref("", nodes.inline(shown, shown), refdomain=domain, reftype=role,
                                     reftarget=target, refexplicit=bool(text), refdoc=pagename)
        resolved = env.get_domain(domain).resolve_xref(env, pagename, app.builder, role, target, node,
                                                       nodes.inline(shown, shown))
        if resolved is None:
            raise KeyError(target)
        return resolved.astext()

    def equation(label):
        docname, number = env.get_domain("math").equations[label]
        # the HTML writer's own numbering, with the figure numbers of the page the equation is on
        writer = SimpleNamespace(builder=SimpleNamespace(
            config=app.config, name=app.builder.name, fignumbers=env.toc_fignumbers.get(docname, {})))
        return str(get_node_equation_number(writer, {"ids": [make_id(f"equation-{label}")], "number": number}))

    def work(key):
        entry = env.get_domain("cite").bibdata.data.entries[key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")
                 for person in people]
        return names or [key], entry.fields.get("year", "n.d.")

    return Build(reference, equation, work)


def add_notebook_download(app, pagename, templatename, context, doctree):
    source = Path(app.env.doc2path(pagename)) if pagename in app.env.all_docs else None
    if source is None or source.suffix != ".md" or not source.name.startswith("ch"):
        # chapters only: the exercises page computes its figures from the build itself
        return
    notebook = jupytext.read(source)
    if "kernelspec" not in notebook.metadata:
        return  # plain Markdown page, not a notebook
    try:  # glue roles and MyST resolved with this build, authoring lines out (notebook_download.py)
        notebook = reader_notebook(notebook, glue_lookup(app, pagename),
                                   lambda markdown: in_browser.as_markdown(
                                       as_markdown(markdown, app.config.course_show_solutions, app.srcdir)),
                                   build_references(app, pagename))
    except DownloadError as error:
        logger.warning(f"the notebook download of {pagename}: {error}", location=pagename)
    target = Path(app.outdir, "_sources", pagename + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
    context["ipynb_source"] = pagename + ".ipynb"


def strip_code_cells(doctree):
    """Take the authoring lines out of the shown source of every executed code cell of a
    doctree (myst-nb's ``cell_code`` containers), with the rule of the downloads
    (``strip_authoring``). A cell left with no code loses its input; one left with neither
    input nor output goes. Outputs are not touched: they are what the whole cell computed."""
    cells = [node for node in doctree.findall(nodes.container) if node.get("nb_element") == "cell_code"]
    for cell in cells:
        for source in [child for child in cell.children if child.get("nb_element") == "cell_code_source"]:
            for block in list(source.findall(nodes.literal_block)):
                code = strip_authoring(block.astext())
                if not code.strip():
                    block.parent.remove(block)
                elif code != block.astext():
                    # rawsource too: Sphinx highlights a literal block only when it equals the text
                    block.rawsource = code
                    block[:] = [nodes.Text(code)]
            if not list(source.findall(nodes.literal_block)):
                cell.remove(source)
        if not cell.children:
            cell.parent.remove(cell)


class StripAuthoringLines(SphinxPostTransform):
    # before myst-nb wraps hidden inputs and outputs in their toggles (HideInputCells, 199),
    # which then sees a cell without input as one
    default_priority = 150
    formats = ("html",)

    def run(self, **kwargs):
        strip_code_cells(self.document)


def drop_thebe(app, pagename, templatename, context, doctree):
    def is_thebe(asset):
        text = str(asset) + str(getattr(asset, "attributes", {}).get("body", ""))
        return "thebe" in text.lower()

    for key in ("script_files", "css_files"):
        if key in context:
            # in place: the list is the builder's own, which later handlers extend
            context[key][:] = [asset for asset in context[key] if not is_thebe(asset)]


def setup(app):
    app.setup_extension("graded_code")  # the graded-code directive (book/_ext/graded_code.py)
    app.setup_extension("in_browser")  # the exercises in JupyterLite, and the lite role (book/_ext/in_browser.py)
    # before sphinx-book-theme builds its header buttons (priority 501)
    app.connect("html-page-context", add_notebook_download, priority=400)
    app.connect("html-page-context", drop_thebe, priority=400)
    app.add_post_transform(StripAuthoringLines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
