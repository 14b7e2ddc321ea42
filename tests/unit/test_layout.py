"""The code is grouped by audience: the book's code (``backprop``) imports
neither the coursework nor the grader; what students receive
(``coursework``) imports neither the book's code nor the grader; the site's
build does not import the grader; the exercises import only ``coursework``;
and no module of the course is part of an import circle."""

import ast

import nbformat
import pytest

from conftest import ROOT, assignments

PACKAGES = ("backprop", "coursework", "grader")


def module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports(path):
    """The modules ``path`` imports, anywhere in it (inside functions too), as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def course_modules():
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def course_imports(path, modules):
    """The course's modules ``path`` imports (a name that is a module's attribute counts as its module)."""
    found = set()
    for name in imports(path):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


@pytest.mark.parametrize("package, forbidden", [("backprop", ("coursework", "grader")),
                                                ("coursework", ("backprop", "grader"))])
def test_a_package_imports_nothing_of_the_audiences_after_it(package, forbidden):
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = {name for name in imports(path) if name.split(".")[0] in forbidden}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_site_build_does_not_import_the_grader():
    for path in sorted((ROOT / "book" / "_ext").glob("*.py")):
        bad = {name for name in imports(path) if name.split(".")[0] == "grader"}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("assignment", assignments())
def test_an_exercise_imports_only_coursework_of_the_course(assignment):
    for folder in ("solutions", "exercises"):
        nb = nbformat.read(ROOT / folder / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
                continue
            found = {name.split(".")[0] for node in ast.walk(ast.parse(cell.source))
                     for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else
                                  [node.module or ""] if isinstance(node, ast.ImportFrom) else [])}
            assert not found & {"backprop", "grader"}, f"{folder}/{assignment}: {cell.source[:200]}"


def test_no_import_circle():
    modules = course_modules()
    graph = {name: course_imports(path, modules) - {name} for name, path in modules.items()}
    # a package's __init__ is imported by each of its modules: only its own imports count as edges
    state, circles = {}, []

    def visit(name, trail):
        state[name] = "open"
        for other in sorted(graph[name]):
            if other.startswith(name + "."):  # a package importing its own module is no circle
                continue
            if state.get(other) == "open":
                circles.append(trail[trail.index(other):] + [other] if other in trail else [name, other])
            elif other not in state:
                visit(other, trail + [other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_layout_finds_what_it_should():
    """The checks above see the real imports (a test that finds nothing checks nothing)."""
    modules = course_modules()
    judge = course_imports(ROOT / "grader" / "judge.py", modules)
    assert {"coursework.compare", "coursework.wire", "grader.sandbox", "backprop.network"} <= judge
    assert "grader.judge" in course_imports(ROOT / "grader" / "assignments" / "ch03_output_error.py", modules)
    assert "coursework.check" in course_imports(ROOT / "coursework" / "earlier.py", modules)
