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
from pathlib import Path
from typing import Callable

from myst_nb.core.variables import format_plain_text

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


class GlueError(Exception):
    """A glue role that cannot be resolved from the build's values."""


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

def reader_notebook(notebook, lookup: Callable[[str], dict], prose: Callable[[str], str] = str):
    """A copy of a chapter notebook (nbformat, as jupytext reads the MyST source) for its reader:
    glue roles in the prose resolved through ``lookup`` and the rest passed through ``prose``
    (which writes out the site's own directives), authoring lines out of the code, empty
    cells dropped, cells the site hides collapsed. Raises ``GlueError`` for a role it cannot resolve."""
    notebook = copy.deepcopy(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = prose(resolve_glue(cell.source, lookup))
        elif cell.cell_type == "code":
            cell.source = strip_authoring(cell.source)
            if not cell.source.strip():
                continue
            tags = set(cell.metadata.get("tags", []))
            if tags & SOURCE_HIDDEN_TAGS:
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            if tags & OUTPUTS_HIDDEN_TAGS:
                cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
        cells.append(cell)
    notebook.cells = cells
    return notebook
