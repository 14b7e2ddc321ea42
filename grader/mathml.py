"""Math on a feedback page as MathML, written once when the page is made, so
that the page needs no script and no file beside it: a page copied anywhere
shows its formulas (browsers render MathML natively) under a policy that
allows no script at all.

``typeset`` finds TeX between ``$$ ... $$`` (display) and ``$ ... $``
(inline, not opened by a blank, as MathJax reads it) in the page's text, outside
``pre``, ``code``, ``script``, ``style``, ``textarea`` and ``title``
elements, which is how nbconvert leaves the math of markdown cells, and
converts it with latex2mathml. Its output is cleaned with bleach down to
MathML's own elements and attributes, since latex2mathml copies the text of
``\\text{...}`` as it is. TeX it cannot convert stays as written.
"""

import html
import re

import bleach
from latex2mathml.converter import convert

MATHML_TAGS = {"math", "mrow", "mi", "mo", "mn", "ms", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot",
               "munder", "mover", "munderover", "mtext", "mspace", "mtable", "mtr", "mtd", "mstyle", "mpadded",
               "mphantom", "menclose", "merror", "semantics", "annotation"}
MATHML_ATTRIBUTES = ["xmlns", "display", "stretchy", "mathvariant", "fence", "separator", "lspace", "rspace",
                     "accent", "accentunder", "movablelimits", "columnalign", "rowspacing", "columnspacing",
                     "width", "height", "depth", "linethickness", "displaystyle", "scriptlevel", "notation",
                     "minsize", "maxsize", "symmetric", "largeop", "form"]
# an element whose text is not prose: its dollars are the text's own
RAW = re.compile(r"<(pre|code|script|style|textarea|title)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
MATH = re.compile(r"\$\$(.+?)\$\$|\$(?![\s$])(.+?)(?<!\\)\$", re.S)


def _mathml(match):
    display = match.group(1) is not None
    tex = html.unescape(match.group(1) if display else match.group(2))
    try:
        converted = convert(tex, display="block" if display else "inline")
    except Exception:  # TeX latex2mathml does not know: left as it was written
        return match.group(0)
    return bleach.clean(converted, tags=MATHML_TAGS, attributes={"*": MATHML_ATTRIBUTES}, strip=False)


def _in_text(text):
    """``text`` (markup with no raw element) with the math of its text nodes converted."""
    parts = TAG.split(text)
    tags = TAG.findall(text)
    # math never spans a tag here: nbconvert keeps a formula's text whole
    return "".join(MATH.sub(_mathml, part) + (tags[i] if i < len(tags) else "") for i, part in enumerate(parts))


def typeset(page):
    """``page`` (HTML) with every formula of its prose as MathML (see the module's docstring)."""
    out, last = [], 0
    for raw in RAW.finditer(page):
        out += [_in_text(page[last:raw.start()]), raw.group(0)]
        last = raw.end()
    return "".join(out + [_in_text(page[last:])])
