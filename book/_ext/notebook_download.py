"""A chapter's ``.ipynb`` download, made for the reader of the notebook.

The chapters are MyST Markdown notebooks whose prose quotes numbers computed
on the page through myst-nb's glue: a code cell calls ``glue("name", value)``
and the prose says ``{glue:text}`name:.3f```. A notebook viewer (plain
Jupyter Notebook, JupyterLab without jupyterlab-myst, VS Code, GitHub) knows
nothing of these roles, so the download would show them raw. Here they are
resolved instead, with the values the site build computed (myst-nb writes
them to ``<build>/jupyter_execute/<page>.glue.json`` when it reads the
executed notebook) and formatted exactly as on the site. Nothing is
executed again.

The rest of MyST is written out as plain Markdown too, with what the build
resolved (``plain_markdown``): ``(label)=`` targets go; an equation
reference is its number as the site shows it, "(12.4)", and a labelled
equation carries that number as ``\\tag{12.4}``, which Jupyter's MathJax
shows; a ``{ref}``, ``{numref}`` or ``{doc}`` (or a ``[text](label)`` link)
is the title or text the site shows; a citation is author-year, "(Werbos
1974)", from the bibliography; an admonition is a blockquote under its
bold title, and one that holds answers (a dropdown, or "Answers" in its
title) is folded in ``<details>``; a figure is an image over its caption,
and the caption of a figure a code cell draws is a Markdown cell under it.
A role or directive with no plain form is an error, not left raw.

The lines that exist only for the authors are taken out of the code cells:
``from myst_nb import glue``, every ``glue(...)`` call and every ``assert``
(they check the prose against the computation). A loop or other block left
with nothing else in it goes with them, a block that must stay gets ``pass``,
and a cell left with no code is dropped, so the notebook still runs top to
bottom. Cells the site hides or collapses (``remove-cell``, ``remove-input``,
``hide-input``; ``remove-output``, ``hide-output``) keep their code, since
later cells may need it, and open collapsed in JupyterLab and VS Code.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from myst_nb.core.variables import format_plain_text
from nbformat.v4 import new_markdown_cell

# {glue}`key`, {glue:}`key`, {glue:any}`key`, {glue:text}`key:fmt`, {glue:md}`key`
GLUE_ROLE = re.compile(r"\{(?P<role>glue(?::[a-z]*)?)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)(?!`)")
GLUE_NAME = re.compile(r"\{glue(?::[a-z]*)?\}")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# fenced directives whose content is code, not prose
CODE_DIRECTIVES = {"code", "code-block", "sourcecode", "code-cell", "literalinclude", "math", "raw", "eval-rst"}
# characters that would make a pasted value mean something in Markdown; the site pastes text verbatim
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|~])")

SOURCE_HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
OUTPUTS_HIDDEN_TAGS = {"remove-output", "hide-output", "hide-cell"}
FIGURE_REMOVED_TAGS = {"remove-cell", "remove-output"}


class DownloadError(Exception):
    """Prose that cannot be written for a notebook viewer."""


class GlueError(DownloadError):
    """A glue role that cannot be resolved from the build's values."""


class MystError(DownloadError):
    """MyST syntax with no plain Markdown form here, or a reference the build cannot resolve."""


def load_glue_data(path: Path) -> dict:
    """The glued values of one executed page, as myst-nb saved them (key -> display output); empty if none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf8")) if path.is_file() else {}


# -- prose -------------------------------------------------------------------------------------------------------------

def _text_value(output: dict, key: str, fmt_spec: str) -> str:
    data = output.get("data", {})
    if "text/plain" not in data:
        raise GlueError(f"glue value {key!r} has no text/plain form")
    try:
        return format_plain_text(data["text/plain"], fmt_spec)
    except Exception as exc:  # the site's own formatting failed the same way
        raise GlueError(f"glue value {key!r} cannot be formatted with {fmt_spec!r}: {exc}") from exc


def paste(role: str, content: str, lookup: Callable[[str], dict]) -> str:
    """The Markdown that stands for one glue role, as the site renders it."""
    if role == "glue:text":
        # as myst-nb's PasteTextRole: "key:format", the format optional
        key, _, fmt_spec = content.rpartition(":") if ":" in content else (content, "", "s")
        return MARKDOWN_SPECIAL.sub(r"\\\1", _text_value(lookup(key), key, fmt_spec))
    if role == "glue:md":
        key = content.rsplit(":", 1)[0]  # as myst-nb's PasteMarkdownRole: "key:format", the format optional
        data = lookup(key).get("data", {})
        if "text/markdown" not in data:
            raise GlueError(f"glue value {key!r} has no text/markdown form")
        return data["text/markdown"].strip()
    if role in ("glue", "glue:", "glue:any"):
        data = lookup(content).get("data", {})
        if "text/markdown" in data:
            return data["text/markdown"].strip()
        if "text/latex" in data:
            return data["text/latex"].strip()
        if "text/plain" in data:
            return "`" + data["text/plain"].strip() + "`"  # the site shows a literal, as Jupyter would print it
        raise GlueError(f"glue value {content!r} has no text form to paste inline")
    raise GlueError(f"the role {{{role}}} cannot be pasted into a notebook")


def resolve_glue(markdown: str, lookup: Callable[[str], dict]) -> str:
    """Replace every glue role in Markdown prose (not in fenced code) by the value it names.

    ``lookup(key)`` returns the glued output (a dict with ``data``) or raises ``KeyError``;
    a missing key or an unusable value raises ``GlueError``."""
    def lookup_or_fail(key: str) -> dict:
        try:
            return lookup(key)
        except KeyError:
            raise GlueError(f"no glue value named {key!r}") from None

    lines, fences = [], []  # the fences open around this line, each (marker, prose inside)
    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if opening and fences and opening.group(1).startswith(fences[-1][0]) \
                and not line.strip().strip(opening.group(1)[0]):
            fences.pop()
        elif opening and all(prose for _, prose in fences):
            info = line.strip()[len(opening.group(1)):].strip()
            directive = re.match(r"\{([^}]*)\}", info)
            if directive and directive[1].startswith("glue"):
                raise GlueError(f"the {{{directive[1]}}} directive cannot be pasted into a notebook")
            fences.append((opening.group(1), bool(directive) and directive[1] not in CODE_DIRECTIVES))
        elif all(prose for _, prose in fences):
            line = GLUE_ROLE.sub(lambda m: paste(m["role"], m["content"], lookup_or_fail), line)
            if GLUE_NAME.search(line):
                raise GlueError(f"a glue role or directive is left unresolved: {line.strip()!r}")
        lines.append(line)
    return "".join(lines)


# -- MyST written out as plain Markdown -------------------------------------------------------------------------------

def _unknown(*args):
    """What a build that resolved nothing answers (a page with no references)."""
    raise KeyError(args)


@dataclass(frozen=True)
class Build:
    """What the site build resolved that a page's prose refers to; each function raises ``KeyError``
    for what the build does not know.

    ``reference(role, target, text)``: the text the site shows for ``{role}`text <target>``` (``text``
    is '' when the role gives none): "(12.4)" for an equation, a section's title, "Fig. 2.1";
    ``equation(label)``: the number the site shows beside a labelled equation, "12.4";
    ``work(key)``: (the last names of a work's authors, its year), from the bibliography."""
    reference: Callable[[str, str, str], str] = _unknown
    equation: Callable[[str], str] = _unknown
    work: Callable[[str], tuple[list[str], str]] = _unknown


# a fence that may open a directive: ```{name}, ~~~{name}, :::{name} (colon_fence), at any indent (a list item's)
OPENING = re.compile(r"^(?P<indent>[ \t]*)"
                     r"(?:(?P<fence>~{3,}|:{3,})(?P<info>.*)|(?P<ticks>`{3,})(?P<tick_info>[^`]*))$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^{}\s]+)\}[ \t]*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*))?$")
LABEL_LINE = re.compile(r"^[ \t]*\([^()\s]+\)=[ \t]*$")  # (sec-foo)= names the heading below it
NOT_BLANK = r"(?:(?!\n[ \t]*\n).)"  # an inline span ends with its paragraph
INLINE = re.compile(
    rf"(?P<code>(?P<code_ticks>`+){NOT_BLANK}+?(?<!`)(?P=code_ticks)(?!`))"  # code spans are left alone
    rf"|\{{(?P<role>[A-Za-z][\w:+.-]*)\}}(?P<ticks>`+)(?P<content>{NOT_BLANK}+?)(?<!`)(?P=ticks)(?!`)"
    r"|(?P<math>\$\$(?P<body>.+?)\$\$(?:[ \t]*\((?P<label>[^()\s]+)\))?)"  # $$ ... $$ (eq-label)
    r"|\[(?P<text>[^\[\]]*)\]\((?P<target>[\w:.-]+)\)",  # [text](sec-label), MyST's link to a label
    re.S)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)  # {ref}`text <label>`
REFERENCE_ROLES = {"eq", "ref", "numref", "doc", "term", "any"}
LOWERCASE_TARGETS = {"ref", "numref", "term"}  # as Sphinx's roles look their targets up
CITATION_ROLES = {"cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:author", "cite:authors", "cite:year"}
# admonition -> its title on the site when it takes none (the {admonition} directive's is its argument)
ADMONITIONS = {"admonition": "", "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
               "warning": "Warning", "caution": "Caution", "attention": "Attention", "danger": "Danger",
               "error": "Error", "seealso": "See also"}
FOLDING = {"dropdown", "toggle"}  # sphinx-design's dropdown, sphinx-togglebutton's toggle: closed on the site
ANSWERS = re.compile(r"\b(answers?|solutions?)\b", re.I)
CODE_BLOCKS = {"code", "code-block", "sourcecode"}


def _escaped(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _authors(names: list[str], every: bool) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2 or every:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] + " et al."


def citation(role: str, keys: str, work: Callable[[str], tuple[list[str], str]]) -> str:
    """A sphinxcontrib-bibtex citation role as author-year text: {cite:p}`a,b` -> "(Werbos 1974; Han et al.
    2012)", {cite:t}`a` -> "Han et al. (2012)" (the ``s`` forms name every author)."""
    if "{" in keys:
        raise MystError(f"{{{role}}}`{keys}`: citations with pre- or post-notes are not written out")
    works = []
    for key in keys.split(","):
        try:
            names, year = work(key.strip())
        except KeyError:
            raise MystError(f"{{{role}}}: no work {key.strip()!r} in the bibliography") from None
        works.append((_authors(names, role.endswith("s")), year))
    if role in ("cite", "cite:p", "cite:ps"):
        return "(" + "; ".join(f"{who} {year}" for who, year in works) + ")"
    if role in ("cite:t", "cite:ts"):
        return "; ".join(f"{who} ({year})" for who, year in works)
    if role == "cite:year":
        return "; ".join(year for _, year in works)
    return "; ".join(who for who, _ in works)


def _reference(role: str, content: str, build: Build) -> str:
    explicit = EXPLICIT.match(content) if role != "eq" else None
    text, target = (explicit["text"], explicit["target"].strip()) if explicit else ("", content.strip())
    if role in LOWERCASE_TARGETS:
        target = target.lower()
    try:
        shown = build.reference(role, target, text)
    except KeyError:
        raise MystError(f"{{{role}}}`{content}`: the build resolves no such target") from None
    # the author's own words are Markdown already; a title the build gives is text
    return text if text and role != "numref" else _escaped(shown)


def _tagged(body: str, label: str, build: Build) -> str:
    """Display math with its number as the site shows it, where Jupyter's MathJax puts it: \\tag{12.4}."""
    try:
        number = build.equation(label)
    except KeyError:
        raise MystError(f"the equation ({label}): the build gives it no number") from None
    math = body.rstrip()
    return math + rf" \tag{{{number}}}" + body[len(math):]


def _role(role: str, content: str, build: Build) -> str:
    if role in REFERENCE_ROLES:
        return _reference(role, content, build)
    if role in CITATION_ROLES:
        return citation(role, content, build.work)
    if role == "math":
        return f"${content}$"
    if role in ("sub", "sup", "kbd"):
        return f"<{role}>{content}</{role}>"
    if role in ("code", "literal", "samp", "file", "command"):
        return f"``{content}``" if "`" in content else f"`{content}`"
    if role == "abbr":
        return content
    raise MystError(f"the role {{{role}}} has no plain Markdown form in a notebook download")


def _inline(prose: str, build: Build) -> str:
    def written(match: re.Match) -> str:
        if match["code"]:
            return match[0]
        if match["role"]:
            return _role(match["role"], match["content"], build)
        if match["math"]:
            return "$$" + _tagged(match["body"], match["label"], build) + "$$" if match["label"] else match[0]
        try:  # a link to a label; any other link stays a link
            return _reference("ref", f"{match['text']} <{match['target']}>" if match["text"] else match["target"],
                              build)
        except MystError:
            return match[0]
    return INLINE.sub(written, prose)


def _closing(lines: list[str], start: int, fence: str) -> int:
    """The line closing the fence opened on line ``start``: the first with nothing but that fence's
    character, as many times or more; ``len(lines)`` if none (the block runs to the end)."""
    for number in range(start + 1, len(lines)):
        line = lines[number].strip()
        if len(line) >= len(fence) and set(line) == {fence[0]}:
            return number
    return len(lines)


def _options(body: list[str]) -> tuple[dict, list[str]]:
    """A directive's options (``:key: value`` lines, or a ``---`` YAML block) and the content after them."""
    if body and body[0].strip() == "---" and "---" in (line.strip() for line in body[1:]):
        import yaml
        end = next(number for number in range(1, len(body)) if body[number].strip() == "---")
        return yaml.safe_load("\n".join(body[1:end])) or {}, body[end + 1:]
    options = {}
    while body and (option := OPTION.match(body[0].strip())):
        options[option["key"]] = (option["value"] or "").strip()
        body = body[1:]
    return options, body


def _quoted(markdown: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in markdown.split("\n")]


def _admonition(name: str, argument: str, options: dict, content: str, build: Build) -> list[str]:
    """An admonition as a titled blockquote, or folded in <details> (its content one click away, as on the
    site) when it is a dropdown, or when its title or class says it holds answers."""
    if name in ADMONITIONS and name != "admonition" and argument:
        content = argument + "\n" + content  # a {note}'s first line is its content
        argument = ""
    title = argument or ADMONITIONS.get(name) or ("Show" if name == "toggle" else "Details")
    classes = set(str(options.get("class", "")).split())
    folded = name in FOLDING or classes & FOLDING or ANSWERS.search(title)
    body = plain_markdown(content.strip("\n"), build)
    title = _inline(title, build)
    if folded:
        summary = re.sub(r"`([^`]+)`", r"<code>\1</code>", title)  # a <summary> shows HTML, not Markdown
        opened = " open" if "open" in options else ""
        return [f"<details{opened}>", f"<summary>{summary}</summary>", "", body, "", "</details>"]
    return _quoted(f"**{title}**\n\n{body}")


def _figure(argument: str, options: dict, content: str, build: Build) -> list[str]:
    """A figure as a Markdown image, its caption below it numbered as on the site."""
    caption = plain_markdown(content.strip("\n"), build)
    if options.get("name"):
        number = _reference("numref", options["name"], build)
        caption = f"**{number}** {caption}".rstrip()
    alt = options.get("alt") or re.sub(r"\s+", " ", caption.split("\n\n")[0]).replace("]", "")
    image = f"![{alt}]({argument.strip()})"
    return [image, "", caption] if caption else [image]


def _directive(opening: re.Match, body: list[str], closed: bool, build: Build) -> list[str]:
    indent, fence = opening["indent"], opening["fence"] or opening["ticks"]
    info = opening["info"] if opening["fence"] else opening["tick_info"]
    body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body]
    directive = DIRECTIVE.match(info.strip())
    if directive is None:  # a plain fenced code block
        return [opening[0][len(indent):], *body, *([fence] if closed else [])]
    name, argument = directive["name"], directive["argument"]
    options, content = _options(body)
    text = "\n".join(content)
    if name in CODE_BLOCKS:
        ticks = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
        return [ticks + argument.strip(), *content, ticks]
    if name == "math":
        math = "\n".join([argument, *content]).strip("\n")
        label = options.get("label") or options.get("name")
        return ["$$", _tagged(math, label, build) if label else math, "$$"]
    if name in ADMONITIONS or name in FOLDING:
        return _admonition(name, argument, options, text, build)
    if name == "figure":
        return _figure(argument, options, text, build)
    if name == "image":
        return [f"![{options.get('alt', '')}]({argument.strip()})"]
    raise MystError(f"the {{{name}}} directive has no plain Markdown form in a notebook download")


def plain_markdown(markdown: str, build: Build = Build()) -> str:
    """MyST Markdown written out as the Markdown every notebook viewer shows (CommonMark, $ math, a
    little HTML), with the numbers and titles the site gives: ``(label)=`` targets taken out,
    references as the site shows them (an equation's "(12.4)", a section's title, "Fig. 2.1"),
    citations author-year, a labelled equation ``\\tag``-ged with its number, admonitions as
    blockquotes (answers folded in ``<details>``), figures as images with their caption.
    Code blocks are left as they are. Raises ``MystError`` for MyST it cannot write out."""
    lines, written, prose = markdown.split("\n"), [], []

    def flush():
        if prose:
            written.append(_inline("\n".join(prose), build))
            prose.clear()

    number = 0
    while number < len(lines):
        opening = OPENING.match(lines[number])
        fence = opening and (opening["fence"] or opening["ticks"])
        if opening and (fence[0] != ":" or opening["info"].strip().startswith("{")):
            flush()
            end = _closing(lines, number, fence)
            block = _directive(opening, lines[number + 1:end], end < len(lines), build)
            indent = opening["indent"]
            written.append("\n".join(indent + line if line else line for line in "\n".join(block).split("\n")))
            number = end + 1
            continue
        if not LABEL_LINE.match(lines[number]):
            prose.append(lines[number])
        number += 1
    flush()
    return "\n".join(written)


# -- code --------------------------------------------------------------------------------------------------------------

def _is_glue_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "glue") or (
        isinstance(func, ast.Attribute) and func.attr == "glue"
        and isinstance(func.value, ast.Name) and func.value.id == "myst_nb")


def _is_authoring(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, ast.Expr) and _is_glue_call(stmt.value):
        return True
    if isinstance(stmt, ast.ImportFrom) and stmt.module == "myst_nb":
        return all(alias.name == "glue" for alias in stmt.names)
    return False


# blocks that hold nothing but authoring lines are authoring themselves (a loop of glue calls)
DROPPABLE_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith)


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, name) for name in ("body", "orelse", "finalbody") if getattr(stmt, name, None)]
    blocks += [handler.body for handler in getattr(stmt, "handlers", [])]
    blocks += [case.body for case in getattr(stmt, "cases", [])]
    return blocks


def _plan(stmts: list[ast.stmt], alone: Callable[[ast.stmt], bool]) -> tuple[bool, list[tuple[int, int, bool]]]:
    """Which lines of a block to take out: (everything in it is authoring, edits), where an edit is
    (first line, last line, put `pass` there)."""
    edits, removed = [], 0
    for stmt in stmts:
        if _is_authoring(stmt) and alone(stmt):
            edits.append((stmt.lineno, stmt.end_lineno, False))
            removed += 1
            continue
        blocks = _blocks(stmt)
        if not blocks:
            continue
        plans = [_plan(block, alone) for block in blocks]
        if isinstance(stmt, DROPPABLE_BLOCKS) and all(gone for gone, _ in plans) and alone(stmt):
            edits.append((stmt.lineno, stmt.end_lineno, False))
            removed += 1
            continue
        for block, (gone, block_edits) in zip(blocks, plans):
            if gone:  # the statement stays, so its block needs a body
                first, last, _ = block_edits[0]
                block_edits[0] = (first, last, True)
            edits += block_edits
    return removed == len(stmts), edits


def _python(source: str) -> str:
    """The cell as Python, line for line (IPython magics become calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def _only_comments(source: str) -> bool:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    ignorable = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT,
                 tokenize.DEDENT}
    return all(token.type in ignorable for token in tokens)


def _string_lines(python: str) -> set[int]:
    """The numbers of the lines that continue a string begun on an earlier line (kept as they are)."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(python).readline):
        if token.start[0] < token.end[0]:
            lines.update(range(token.start[0] + 1, token.end[0] + 1))
    return lines


def strip_authoring(source: str) -> str:
    """A code cell's source without its glue import, glue calls and asserts; '' if no code is left.

    A cell that is not Python (a cell magic, a syntax error) is returned as it is."""
    lines = source.splitlines()
    try:
        python = _python(source)
        tree = ast.parse(python)
    except SyntaxError:
        return source
    py_lines = python.splitlines()
    if len(py_lines) != len(lines):  # a magic spanning lines: positions would not match
        return source

    def alone(stmt: ast.stmt) -> bool:
        """The statement has its lines to itself (no `a = 1; assert a`); a trailing comment goes with it."""
        before = py_lines[stmt.lineno - 1][:stmt.col_offset]
        after = py_lines[stmt.end_lineno - 1][stmt.end_col_offset:].strip()
        return not before.strip() and (not after or after.startswith("#"))

    _, edits = _plan(tree.body, alone)
    if not edits:
        return source
    out: list[str | None] = list(lines)
    for first, last, put_pass in edits:
        for number in range(first, last + 1):
            out[number - 1] = None
        if put_pass:
            indent = lines[first - 1][:len(lines[first - 1]) - len(lines[first - 1].lstrip())]
            out[first - 1] = indent + "pass"
    in_strings = _string_lines(python)
    kept: list[str] = []
    for number, line in enumerate(out, 1):
        if line is None:
            continue
        if not line.strip() and (not kept or not kept[-1].strip()) and number not in in_strings:
            continue  # no leading blank lines, no runs of them where lines went
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    result = "\n".join(kept)
    return "" if _only_comments(result) else result


# -- the notebook ------------------------------------------------------------------------------------------------------

def caption(figure: dict, markdown: Callable[[str], str], build: Build) -> str:
    """The caption of a code cell's figure (its ``mystnb.figure`` metadata) as the site shows it,
    numbered "Fig. 2.1"; ``markdown`` writes MyST prose out."""
    text = markdown(figure["caption"].strip())
    return f"**{_reference('numref', figure['name'], build)}** {text}" if figure.get("name") else text


def reader_notebook(notebook, lookup: Callable[[str], dict], prose: Callable[[str], str] = str,
                    build: Build = Build()):
    """A copy of a chapter notebook (nbformat, as jupytext reads the MyST source) for its reader:
    glue roles in the prose resolved through ``lookup``, the rest passed through ``prose`` (which
    writes out the site's own directives) and then written out as plain Markdown with what ``build``
    resolved (``plain_markdown``); authoring lines out of the code, empty cells dropped, cells the
    site hides collapsed, a figure's caption in a Markdown cell under its code cell. Raises
    ``GlueError`` or ``MystError`` for prose it cannot write out."""
    def markdown(source: str) -> str:
        return plain_markdown(prose(resolve_glue(source, lookup)), build)

    notebook = copy.deepcopy(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = markdown(cell.source)
            if not cell.source.strip():
                continue  # nothing but a (label)= target
        elif cell.cell_type == "code":
            cell.source = strip_authoring(cell.source)
            if not cell.source.strip():
                continue
            tags = set(cell.metadata.get("tags", []))
            if tags & SOURCE_HIDDEN_TAGS:
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            if tags & OUTPUTS_HIDDEN_TAGS:
                cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("caption") and not tags & FIGURE_REMOVED_TAGS:
                # the site shows the caption under the cell's figure; a notebook viewer knows nothing of it
                cells += [cell, new_markdown_cell(caption(figure, markdown, build))]
                continue
        cells.append(cell)
    notebook.cells = cells
    return notebook
