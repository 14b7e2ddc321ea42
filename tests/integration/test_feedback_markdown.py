"""Markdown a student wrote is sanitised after nbconvert renders it, not only
before (issue: "Feedback markdown is sanitised after rendering to HTML"):
markdown's own link and image syntax can carry a ``javascript:`` link or an
image from elsewhere that no sanitising of the source sees. Each page here
is made as ``make grade`` makes it: nbgrader's GenerateFeedback with the
course's nbgrader_config.py (its HTML exporter, nbgrader's feedback template,
the configured preprocessors but GetGrades, whose gradebook these notebooks
have not got), then ``report.offline_page``. No gradebook, no kernel: well
under a second a page."""

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]

ATTACKS = {
    "javascript link": "[click](javascript:alert(1))",
    "mixed case scheme": "[x](JaVaScRiPt:alert(1))",
    "scheme with a tab entity": '<a href="java&#x09;script:alert(1)">x</a>',
    "data: html link": "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "vbscript link": "[x](vbscript:msgbox(1))",
    "https image": "![](https://evil.example/track.png)",
    "http image": "![tracker](http://evil.example/track.png)",
    "protocol relative image": "![](//evil.example/track.png)",
    "file image": "![](file:///etc/passwd)",
    "image behind files/": "![](files///evil.example/track.png)",
    "image outside the folder": "![](../../secret.png)",
    "image through a backslash": "![](\\\\evil.example\\share\\x.png)",
    "reference link": "[x][1]\n\n[1]: javascript:alert(1)",
    "reference image": "![x][img]\n\n[img]: https://evil.example/track.png",
    "autolink": "<javascript:alert(1)>",
    "html image": '<img src="https://evil.example/track.png">',
    "html event handler": '<img src="x" onerror="alert(1)">',
    "script": '<script>document.title = "pwned"</script>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "svg": '<svg><a href="javascript:alert(1)"><text>x</text></a><image href="https://evil.example/t.png"/></svg>',
    "form": '<form action="https://evil.example/"><input type="text" name="q"><button>go</button></form>',
    "style": '<style>body { background: url(https://evil.example/t.png) }</style><p style="color: red">x</p>',
    "link tag": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "markdown after a blank line in code": "```\nx\n\n[a](javascript:alert(1)) ![](https://evil.example/t.png)\n```",
}

# a 1x1 transparent PNG
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
       "60e6kgAAAABJRU5ErkJggg==")
ORDINARY = f"""# My notes

Some *emphasis*, **strong** words and `code`, with $x^2 < y$ inline and

$$
E = \\frac12 \\sum_j (T_j - O_j)^2
$$

- first
- second

1. one
2. two

```python
def f(x):

    return x ** 2
```

| a | b |
|:-:|--:|
| 1 | 2 |

See [the book](https://example.org/book), [mail me](mailto:me@example.org), [Task](#My-notes).

![a plot]({PNG}) ![a figure](figure.png)
"""


def notebook(*markdown, graded=None):
    """A submission: a locked cell of the course's, ``markdown`` as cells the
    student added, and a written answer (``graded``, a graded markdown cell
    of nbgrader's) if given."""
    course = nbformat.v4.new_markdown_cell("## Task 1\n\nThe course's text, $O = f(I)$.")
    course.metadata = {"nbgrader": {"locked": True, "grade": False, "solution": False, "grade_id": "intro",
                                    "schema_version": 3}}
    cells = [course, *(nbformat.v4.new_markdown_cell(text) for text in markdown)]
    if graded is not None:
        answer = nbformat.v4.new_markdown_cell(graded)
        answer.metadata = {"nbgrader": {"locked": False, "grade": True, "solution": True, "grade_id": "answer",
                                        "points": 2, "score": 1.5, "schema_version": 3}}
        cells.append(answer)
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def feedback():
    """A function: notebook -> (its feedback page as ``make grade`` writes it, the preprocessed notebook)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades
    from traitlets.config.loader import PyFileConfigLoader

    from grader.report import offline_page

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
    exporter = converter.exporter_class(parent=converter, config=converter.config)  # as converter.start() does
    for preprocessor in converter.preprocessors:
        if preprocessor is not GetGrades:
            exporter.register_preprocessor(preprocessor)

    def page(nb):
        nb = nbformat.from_dict(nb)
        resources = {"nbgrader": {"notebook": "ch03_output_error", "score": 1.5, "max_score": 2,
                                  "late_penalty": 0}}
        html, _ = exporter.from_notebook_node(nb, resources=resources)
        return offline_page(html), nb

    return page


def rendered_markdown(page):
    """The rendered markdown cells of a feedback page."""
    return BeautifulSoup(page, "html.parser").select(".text_cell_render")


def problems(page):
    """What a feedback page's rendered markdown should not hold."""
    found = []
    for cell in rendered_markdown(page):
        for tag in cell.find_all(True):
            if tag.name in ("script", "iframe", "object", "embed", "svg", "form", "input", "style", "link",
                            "meta", "base", "button") and not (tag.name == "input" and tag.get("type") == "checkbox"):
                found.append(str(tag))
            found += [f"{tag.name} {name}={value!r}" for name, value in tag.attrs.items()
                      if name.lower().startswith("on") or name.lower() == "style" and tag.name not in ("th", "td")]
            href = tag.get("href")
            if href is not None and not href.startswith(("https://", "http://", "mailto:", "#")):
                found.append(f"link {href!r}")
            src = tag.get("src")
            if src is not None and not (src.startswith("data:image/") or is_in_folder(src)):
                found.append(f"image {src!r}")
    links = [a["href"].lower() for a in BeautifulSoup(page, "html.parser").find_all(href=True)]
    found += [f"page link {href!r}" for href in links if href.startswith(("javascript:", "data:", "vbscript:"))]
    return found


def is_in_folder(src):
    return ":" not in src and not src.startswith(("/", "\\")) and "\\" not in src and ".." not in src.split("/")


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_an_attack_in_a_students_markdown_is_gone_from_the_page(feedback, attack):
    page, _ = feedback(notebook(f"Look: {attack}\n\nMy notes, $x^2$."))
    assert problems(page) == [], page
    # the math as MathML, unless the attack left it inside a code block, where it stays text
    assert "My notes" in page and ("<msup><mi>x</mi><mn>2</mn></msup>" in page or "```" in attack)


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_an_attack_in_a_written_answer_is_gone_and_the_answer_keeps_its_score(feedback, attack):
    nb = notebook(graded=f"My answer: {attack}")
    metadata = nbformat.from_dict(nb).cells[-1].metadata
    page, graded = feedback(nb)
    assert problems(page) == [], page
    assert graded.cells[-1].metadata == metadata
    panel = BeautifulSoup(page, "html.parser").select_one("a[name=answer] + .panel-heading")
    assert panel is not None and "Student's answer" in panel.text and "Score: 1.5 / 2.0" in panel.text, page


def test_ordinary_markdown_is_kept_and_rendered(feedback):
    page, _ = feedback(notebook(ORDINARY))
    assert problems(page) == [], page
    cell = rendered_markdown(page)[1]
    assert cell.select_one("h1").text.startswith("My notes") and cell.select_one("h1")["id"] == "My-notes"
    assert cell.select_one("em").text == "emphasis" and cell.select_one("strong").text == "strong"
    assert [li.text for li in cell.select("ul li")] == ["first", "second"]
    assert [li.text for li in cell.select("ol li")] == ["one", "two"]
    assert cell.select_one("p code").text == "code" and "return x ** 2" in cell.select_one(".highlight pre").text
    assert [td.text for td in cell.select("td")] == ["1", "2"] and "text-align:right" in cell.select("td")[1]["style"]
    assert [a["href"] for a in cell.select("p a")] == ["https://example.org/book", "mailto:me@example.org",
                                                       "#My-notes"]
    assert [img["src"] for img in cell.select("img")] == [PNG, "figure.png"]
    # the math, written as MathML with the page (grader/mathml.py)
    assert len(cell.select('math[display="inline"]')) == 1 and len(cell.select('math[display="block"]')) == 1
    assert "$" not in cell.text


def test_ordinary_markdown_renders_as_it_did_before_sanitising(feedback):
    """The same elements, attributes and text as nbconvert renders without SanitizeMarkdown."""
    from nbconvert.exporters import HTMLExporter

    from grader.mathml import typeset

    page, _ = feedback(notebook(ORDINARY))
    unsanitised = HTMLExporter().markdown2html({}, ORDINARY)

    def shape(soup):
        return [(tag.name, sorted(tag.attrs)) for tag in soup.find_all(True)], soup.text.strip()

    assert shape(rendered_markdown(page)[1]) == shape(BeautifulSoup(typeset(unsanitised), "html.parser"))


def test_the_courses_cells_are_left_as_they_are(feedback):
    nb = notebook(ORDINARY)
    page, preprocessed = feedback(nb)
    assert preprocessed.cells[0] == nbformat.from_dict(nb).cells[0]
    assert rendered_markdown(page)[0].select_one("h2").text.startswith("Task 1")
    assert rendered_markdown(page)[0].select_one("math") is not None  # $O = f(I)$, as MathML


def test_what_the_preprocessor_writes_nbconvert_renders_unchanged():
    """A sanitised cell is one line of HTML (newlines as &#10;), which
    nbconvert's markdown renderer passes through as it is: nothing in it is
    read as markdown again (a blank line in a code block would otherwise end
    the HTML block, and what follows it be rendered as markdown)."""
    from nbconvert.exporters import HTMLExporter

    from grader.preprocessors.sanitize_markdown import SanitizeMarkdown

    for text in [ORDINARY, "$$\na < b\n$$\n\n<pre>\n\nx</pre>", *ATTACKS.values()]:
        cell, _ = SanitizeMarkdown().preprocess_cell(nbformat.v4.new_markdown_cell(text), {}, 0)
        assert "\n" not in cell.source
        assert HTMLExporter().markdown2html({}, cell.source).strip() == cell.source


def test_an_image_pasted_into_a_cell_is_kept(feedback):
    """A pasted image is a cell attachment, which the page shows as a data: URI."""
    cell = nbformat.v4.new_markdown_cell("My plot: ![plot.png](attachment:plot.png)")
    cell.attachments = {"plot.png": {"image/png": PNG.split(",", 1)[1]}}
    nb = notebook()
    nb.cells.append(cell)
    page, _ = feedback(nb)
    assert problems(page) == [] and [img["src"] for img in rendered_markdown(page)[1].select("img")] == [PNG]
