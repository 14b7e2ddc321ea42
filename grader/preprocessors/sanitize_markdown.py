"""SanitizeMarkdown: markdown a student wrote can carry no script into a feedback page."""

import bleach
from nbgrader.preprocessors import NbGraderPreprocessor

# what a student's markdown may keep of HTML: text formatting, no scripts, no event handlers
TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title"]}


class SanitizeMarkdown(NbGraderPreprocessor):
    """Strip from every markdown cell the course did not lock (cells the
    student added or wrote) each HTML tag and attribute outside a short safe
    list, with bleach, before nbconvert renders it. The page's
    Content-Security-Policy (``report.offline_page``) is the second guard."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = bleach.clean(cell.source, tags=TAGS, attributes=ATTRIBUTES,
                                       protocols={"http", "https", "data"}, strip=True)
        return cell, resources
