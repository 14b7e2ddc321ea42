"""SanitizeMarkdown: markdown a student wrote can carry no script, no
dangerous link and no outside image into a feedback page.

Sanitising the markdown *source* is not enough: markdown has link and image
syntax of its own (``[x](javascript:...)``, ``[x][1]`` with ``[1]: ...``,
``<javascript:...>``, ``![](https://...)``) that only becomes HTML when
nbconvert renders it. So each such cell is rendered here, by the exporter
that writes the page, its HTML sanitised, and the cell's source replaced by
that HTML in a form nbconvert's markdown renderer passes through unchanged.
"""

import re
from urllib.parse import unquote, urlsplit

import bleach
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import Filter, convert_entities
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbgrader.preprocessors import NbGraderPreprocessor
from pygments.token import STANDARD_TYPES

# what a student's markdown may keep of HTML: text formatting and what nbconvert renders markdown to
# (tables, task lists, definition lists, highlighted code); no script, no frame, no form, no style sheet
TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
        "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}
LINK_SCHEMES = {"http", "https", "mailto"}
PYGMENTS_CLASSES = set(STANDARD_TYPES.values()) | {"hll"}
# the first line of every cell sanitised here: a markdown line that starts an HTML block ending on that
# same line (CommonMark's HTML block of kind 2), so that the sanitised HTML after it is rendered as it is
MARK = "<!-- sanitised by grader.preprocessors.SanitizeMarkdown -->"


def plain(url):
    """``url`` as a browser reads it, made plainer still to check it: entities
    resolved, without blanks, control or non-ASCII characters (bleach's own
    normalisation), so that ``Java&#x09;Script:`` is seen as ``javascript:``."""
    return re.sub(r"[^\x21-\x7e]|`", "", convert_entities(url))


def safe_href(url):
    """A link to the web, to an address (mailto:) or to a place in the page."""
    url = plain(url)
    if url.startswith("#"):
        return True
    try:
        return urlsplit(url).scheme.lower() in LINK_SCHEMES
    except ValueError:
        return False


def safe_src(url):
    """An image in the page (``data:``) or in the page's folder: a relative
    path that neither nbconvert's ``strip_files_prefix`` (which takes the
    ``files/`` of ``src="files/..."`` off) nor the browser can turn into
    another place (no scheme, no ``//host``, no leading ``/``, no ``\\``, no
    ``..``)."""
    url = plain(url)
    if url.lower().startswith("data:"):
        return True
    while re.match(r"/?files/", url):
        url = re.sub(r"^/?files/", "", url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    path = unquote(parts.path)
    return not (parts.scheme or parts.netloc or not path or path.startswith("/") or "\\" in path
                or ".." in path.split("/"))


def allowed_attribute(tag, name, value):
    """Whether bleach keeps attribute ``name`` of ``tag``: only those
    nbconvert's rendering of markdown uses, each with the values it gives."""
    if tag == "a":
        return (name == "href" and safe_href(value) or name == "title"
                or name == "class" and value == "anchor-link")
    if tag == "img":
        return (name == "src" and safe_src(value) or name in ("alt", "title")
                or name in ("width", "height") and value.isdigit())
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return name == "id"
    if tag in ("th", "td"):
        return name == "style"  # the column's alignment: the CSS sanitiser keeps text-align only
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "input":
        return (name == "type" and value == "checkbox" or name in ("checked", "disabled")
                or name == "class" and value == "task-list-item-checkbox")
    if name != "class":
        return False
    return (tag == "div" and value == "highlight" or tag == "li" and value == "task-list-item"
            or tag == "code" and re.fullmatch(r"language-[\w+#.-]+", value) is not None
            or tag == "span" and set(value.split()) <= PYGMENTS_CLASSES)


class DropEmptyLinksAndImages(Filter):
    """After bleach: a link whose address was dropped becomes its text, an
    image whose source was dropped goes, and so does an input that is not
    a task list's checkbox."""

    def __iter__(self):
        unwrapped = []  # for each open <a>, whether its tags are dropped
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            attrs = (token.get("data") or {}) if kind in ("StartTag", "EmptyTag") else {}
            if kind in ("StartTag", "EmptyTag") and name == "img" and (None, "src") not in attrs:
                continue
            if kind in ("StartTag", "EmptyTag") and name == "input" and attrs.get((None, "type")) != "checkbox":
                continue
            if kind == "StartTag" and name == "a":
                unwrapped.append((None, "href") not in attrs)
                if unwrapped[-1]:
                    continue
            if kind == "EndTag" and name == "a" and unwrapped and unwrapped.pop():
                continue
            yield token


def cleaner():
    """bleach's cleaner of a cell (a new one each time: a cleaner is not thread-safe)."""
    return bleach.Cleaner(tags=TAGS, attributes=allowed_attribute, protocols=LINK_SCHEMES | {"data"}, strip=True,
                          filters=[DropEmptyLinksAndImages],
                          css_sanitizer=CSSSanitizer(allowed_css_properties={"text-align"}, allowed_svg_properties=()))


def sanitised(html):
    """``html`` without script, event handler, link other than http(s),
    mailto and in-page, or image from outside the page and its folder, as
    the source of a markdown cell that renders to exactly that HTML: one
    line (each newline written as the character reference ``&#10;``, which
    the browser reads as a newline, in ``<pre>`` too) after ``MARK``."""
    return MARK + cleaner().clean(html).replace("\r", "&#13;").replace("\n", "&#10;")


class SanitizeMarkdown(NbGraderPreprocessor):
    """Sanitise every markdown cell the course did not lock (cells the
    student added or wrote; a locked cell's source is the course's, put back
    by nbgrader's OverwriteCells when changed) after rendering it to HTML,
    as the feedback page's exporter does (its ``markdown2html``, with the
    cell's attachments), with bleach: ``sanitised``. The cell's metadata is
    left as it is, so that nbgrader's template still shows a written
    answer's score. The page's Content-Security-Policy
    (``report.offline_page``) is the second guard."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = sanitised(self.to_html(cell, resources))
        return cell, resources

    def to_html(self, cell, resources):
        """The cell's markdown as HTML, as the exporter writing the page renders it."""
        if isinstance(self.parent, HTMLExporter):
            return self.parent.markdown2html({"cell": cell, "resources": resources}, cell.source)
        renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}))
        return MarkdownWithMath(renderer=renderer).render(cell.source)
