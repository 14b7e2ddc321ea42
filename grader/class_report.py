"""``report.html``: the class at a glance, for the instructor, written with each ``make grade``.

One page, from data alone: the rows of ``grades.csv`` (``report.Row``) and, for each graded
notebook, its tests' verdicts as ``make grade`` keeps them in ``_grading/verdicts.json``
(``verdict_record``: passed or not, the graded function, the catalogued mistakes the verdict
named, ``schema.Verdict``). For each assignment of the course it shows how many notebooks were
graded, not graded (the reasons summarised), missing and late (with the points taken off), the
distribution of the marks as a plot (matplotlib, an SVG image in the page, with the same numbers
as a table), and for each graded function how many students made each catalogued mistake, most
frequent first, each linked to the section of the chapter that explains it
(``grader.assignments.SECTIONS``).

The page stands alone and runs nothing: no script, nothing loaded from anywhere (the plots are
``data:`` images), a Content-Security-Policy that says so, every text escaped. Its length is
bounded by the course, not the class: no list on it grows with the number of students (the
longest are cut at ``MOST`` entries, the rest counted), and grades.csv has every row.
"""

import base64
import bisect
import html
import io
import math
import statistics
from collections import Counter, defaultdict

from .report import shown

# entries of any list on the page that grows with the class (reasons, students, stray folders)
MOST = 10
# characters of a not-graded reason's summary: its first clause
REASON_CHARS = 60
# bars of a histogram of marks: one per point up to this many
MAX_BINS = 20
# no script, no request: styles in the page and the plots as data: images only
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# where the chapters are: the built site, relative to report.html at the course root
DEFAULT_SITE = "_build/html"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 56em; padding: 0 1em 2em;
       line-height: 1.4; color: #1a1a1a; overflow-wrap: anywhere; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0; width: 100%; max-width: 40em; }
th, td { text-align: left; padding: .2em .5em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; width: 6em; }
img { max-width: 100%; height: auto; display: block; }
code { font-size: .95em; }
.note, .none { color: #555; }
"""


def verdict_record(student, assignment, notebook, tests, functions):
    """What the report keeps of one graded notebook's verdicts (``tests``, {grade_id:
    ``schema.Verdict``}), as JSON: for each test, passed or not, the function it grades
    (``functions``, {grade_id: function}; None for a test of no one function), the catalogued
    mistakes it named and whether the answer solves another id's variant. Messages are left out:
    they are the student's, on the feedback page."""
    return {"student": student, "assignment": assignment, "notebook": notebook,
            "tests": {grade_id: {"passed": bool(verdict.get("passed")), "function": functions.get(grade_id),
                                 "mistakes": [{"function": m["function"], "name": m["name"]}
                                              for m in verdict.get("mistakes", [])],
                                 "solves": bool(verdict.get("solves"))}
                      for grade_id, verdict in sorted(tests.items())}}


def summary(rows, verdicts, sections):
    """The report's numbers, as data: {assignment: its counts, marks and mistakes} for each
    assignment of ``sections`` ({assignment: {function: label}}), and under ``None`` the rows of
    entries that name no assignment of the course."""
    by_assignment = defaultdict(list)
    for row in rows:
        by_assignment[row.assignment if row.assignment in sections else None].append(row)
    records = defaultdict(list)
    for record in verdicts:
        records[record["assignment"]].append(record)
    found = {name: _assignment(by_assignment.get(name, []), records.get(name, []), functions)
             for name, functions in sorted(sections.items()) if name in by_assignment}
    stray = by_assignment.get(None, [])
    found[None] = {"count": len(stray), "entries": sorted({_entry(row) for row in stray})}
    return found


def _entry(row):
    return "/".join(filter(None, ["submitted", row.student, row.assignment]))


def _assignment(rows, records, functions):
    status = Counter(row.status for row in rows)
    late = [row for row in rows if row.status == "graded" and _number(row.late_by) > 0]
    reasons = defaultdict(set)
    for row in rows:
        if row.status == "not graded":
            reasons[_reason(row.reason)].add(row.student)
    return {
        "notebooks": len(rows), "students": len({row.student for row in rows}),
        "graded": status["graded"], "not graded": status["not graded"], "missing": status["missing"],
        "late": len(late), "penalty": sum(_number(row.penalty) for row in late),
        "late_students": sorted({row.student for row in late}),
        "reasons": sorted(([reason, sorted(students)] for reason, students in reasons.items()),
                          key=lambda item: (-len(item[1]), item[0])),
        "marks": _marks(rows), "functions": _functions(records, functions)}


def _number(value):
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _reason(reason):
    """A not-graded reason's first clause ("timed out", "corrupt file"), the kind of trouble."""
    cut = min((i for i in (reason.find(":"), reason.find(" (")) if i > 0), default=len(reason))
    first = reason[:cut].strip() or "no reason given"
    return first if len(first) <= REASON_CHARS else first[:REASON_CHARS - 1] + "…"


def _marks(rows):
    """{"marks": each student's mark (after any late penalty) where every notebook of theirs was
    graded, sorted; "max": the assignment's marks}."""
    notebooks = defaultdict(list)
    for row in rows:
        notebooks[row.student].append(row)
    top = max((sum(_number(r.max_score) for r in own) for own in notebooks.values()), default=0.0)
    marks = sorted(min(top, max(0.0, sum(_number(r.score) - _number(r.penalty) for r in own)))
                   for own in notebooks.values() if all(r.status == "graded" for r in own))
    return {"marks": marks, "max": top}


def _functions(records, functions):
    """For each graded function (then each test of no one function), in the chapter's order: the
    students judged, those who passed all its tests, and {mistake name: students}, "solves another
    id's variant" and "wrong in another way" counted by student."""
    judged, failed, named, solves = defaultdict(set), defaultdict(set), defaultdict(Counter), defaultdict(set)
    groups = list(functions)
    for record in records:
        student = record["student"]
        mistakes = defaultdict(set)  # this student's, by function
        failing = set()
        for grade_id, test in record["tests"].items():
            group = test["function"] or grade_id
            if group not in groups:
                groups.append(group)
            judged[group].add(student)
            for mistake in test["mistakes"]:
                mistakes[mistake["function"]].add(mistake["name"])
            if not test["passed"]:
                failing.add(group)
                failed[group].add(student)
                if test["solves"]:
                    solves[group].add(student)
        for function, names in mistakes.items():
            named[function].update(names)
    found = []
    for group in groups:
        if not judged[group]:
            continue
        other = {s for s in failed[group] if s not in solves[group]}
        counts = dict(named[group])
        # "wrong in another way": failed, and no verdict of theirs named a mistake of this function
        other -= _naming(records, group)
        found.append({"function": group, "graded": group in functions, "section": functions.get(group),
                      "judged": len(judged[group]), "passed": len(judged[group] - failed[group]),
                      "mistakes": sorted(counts.items(), key=lambda item: (-item[1], item[0])),
                      "solves": len(solves[group]), "other": len(other)})
    return found


def _naming(records, function):
    """The students a verdict of whom named a mistake of ``function``."""
    return {record["student"] for record in records for test in record["tests"].values()
            if any(m["function"] == function for m in test["mistakes"])}


def histogram(marks, top, assignment):
    """(an SVG of the marks' histogram as a data: URL, [(low, high, count)] of its bars)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    bins = max(1, min(MAX_BINS, math.ceil(top)))
    edges = [top * k / bins for k in range(bins + 1)] if top > 0 else [0.0, 1.0]
    counts = [0] * (len(edges) - 1)
    for mark in marks:  # each bar holds its low edge; the last its high one too (full marks)
        counts[min(len(counts) - 1, max(0, bisect.bisect_right(edges, mark) - 1))] += 1
    # the same bytes for the same marks: no date, fixed ids; text as text, a few kB a plot
    with rc_context({"svg.hashsalt": "class-report", "svg.fonttype": "none", "font.size": 11}):
        figure = Figure(figsize=(6.4, 2.6))
        axes = figure.add_subplot()
        axes.bar(edges[:-1], counts, width=[b - a for a, b in zip(edges, edges[1:])], align="edge",
                 color="#3b6ea5", edgecolor="white")
        axes.set_xlim(edges[0], edges[-1])
        axes.set_xlabel(f"mark, of {top:g}")
        axes.set_ylabel("students")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        svg = io.BytesIO()
        figure.savefig(svg, format="svg", metadata={"Date": None, "Title": f"marks of {assignment}"})
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode("ascii")
    return url, [(a, b, n) for a, b, n in zip(edges, edges[1:], counts)]


def page(rows, verdicts, sections, site=DEFAULT_SITE):
    """The report as an HTML page (see the module's docstring). ``site`` is the URL of the built
    site, which the links to the chapters start with: relative to report.html, or absolute."""
    found = summary(rows, verdicts, sections)
    stray = found.pop(None)
    graded = sum(a["graded"] for a in found.values())
    parts = [f"<h1>Class report</h1><p>{_count(graded, 'notebook')} graded in "
             f"{_count(len(found), 'assignment')}; each assignment's numbers are those of "
             f"<code>grades.csv</code>, which names every student. A mark is after any late penalty, "
             f"as in <code>grades_by_student.csv</code>.</p>"]
    if found:
        parts.append("<ul>" + "".join(
            f"<li><a href='#{_e(name)}'>{_e(name)}</a>: {a['graded']} graded, {a['not graded']} not graded, "
            f"{a['missing']} missing, {a['late']} late</li>" for name, a in found.items()) + "</ul>")
    if stray["count"]:
        parts.append(f"<p id='stray'>{_count(stray['count'], 'entry', 'entries')} of <code>submitted/</code> "
                     f"name no assignment of the course and were not graded: {_listed(stray['entries'])}.</p>")
    for name, numbers in found.items():
        parts.append(_section(name, numbers, site))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{POLICY}\">"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Class report</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _section(name, a, site):
    chapter = f"{site.rstrip('/')}/book/{name}.html"
    parts = [f"<section id='{_e(name)}'><h2>{_e(name)}</h2>"
             f"<p><a href='{_e(chapter)}'>the chapter</a> · {_count(a['students'], 'student')}, "
             f"{_count(a['notebooks'], 'notebook')}</p>",
             f"<table class='counts' id='counts-{_e(name)}'><tbody>"]
    for status in ("graded", "not graded", "missing", "late"):
        parts.append(f"<tr data-status='{status}'><th>{status}</th><td class='n'>{a[status]}</td></tr>")
    parts.append("</tbody></table>")
    if a["late"]:
        parts.append(f"<p>Late: {_listed(a['late_students'])}; {a['penalty']:g} points taken off in all.</p>")
    if a["reasons"]:
        items = [f"<li>{_e(reason)}: {len(students)} ({_listed(students)})</li>"
                 for reason, students in a["reasons"][:MOST]]
        more = len(a["reasons"]) - MOST
        parts.append("<h3>Not graded, by reason</h3><ul class='reasons'>" + "".join(items) + "</ul>"
                     + (f"<p class='note'>and {_count(more, 'other reason')}: see grades.csv.</p>" if more > 0 else ""))
    parts.append(_plot(name, a["marks"]))
    if a["functions"]:
        parts.append("<h3>Mistakes, by function</h3><p class='note'>Students counted once per function; one "
                     "student can be counted under several mistakes. A link opens the chapter's section "
                     "on them.</p>")
        parts += [_function(name, f, chapter) for f in a["functions"]]
    parts.append("</section>")
    return "".join(parts)


def _plot(name, marks):
    values, top = marks["marks"], marks["max"]
    if not values:
        return "<h3>Marks</h3><p class='none'>No student's work was graded whole.</p>"
    url, bars = histogram(values, top, name)
    described = (f"{_count(len(values), 'student')}: lowest {values[0]:g}, median {statistics.median(values):g}, "
                 f"mean {statistics.fmean(values):.3g}, highest {values[-1]:g}, of {top:g}")
    rows = "".join(f"<tr><td>{low:g} to {high:g}{'' if k < len(bars) - 1 else ' (inclusive)'}</td>"
                   f"<td class='n'>{count}</td></tr>" for k, (low, high, count) in enumerate(bars))
    return (f"<h3>Marks</h3><p class='marks'>{described}.</p>"
            f"<img src='{url}' width='640' height='260' alt='Histogram of the marks of {_e(name)}: {described}; "
            f"the table below gives each bar.'>"
            f"<details><summary>The histogram as a table</summary><table class='bars'><thead><tr><th>mark</th>"
            f"<th class='n'>students</th></tr></thead><tbody>{rows}</tbody></table></details>")


def _function(assignment, f, chapter):
    head = (f"<h4 id='{_e(assignment)}-{_e(f['function'])}'><code>{_e(f['function'])}</code>: {f['passed']} of "
            f"{_count(f['judged'], 'student')} passed every test</h4>")
    link = f"{chapter}#{f['section']}" if f["section"] else None
    rows = [(f"<a href='{_e(link)}'>{_e(mistake)}</a>" if link else _e(mistake), count, "mistake")
            for mistake, count in f["mistakes"]]
    rows += [(label, count, kind) for label, count, kind in (
        ("solves another id's variant", f["solves"], "solves"), ("wrong in another way", f["other"], "other"))
        if count]
    rows.sort(key=lambda row: -row[1])  # stable: mistakes by name among equals, then the two others
    if not rows:
        return head
    body = "".join(f"<tr class='{kind}'><td>{label}</td><td class='n'>{count}</td></tr>"
                   for label, count, kind in rows)
    return (head + f"<table class='mistakes' data-function='{_e(f['function'])}'><thead><tr><th>mistake</th>"
            f"<th class='n'>students</th></tr></thead><tbody>{body}</tbody></table>")


def _e(text):
    return html.escape(shown(text), quote=True)


def _count(n, one, many=None):
    return f"{n} {one if n == 1 else many or one + 's'}"


def _listed(items):
    """The first ``MOST`` of ``items``, escaped, the rest counted."""
    items = list(items)
    more = len(items) - MOST
    return ", ".join(_e(item) for item in items[:MOST]) + (f" and {more} more" if more > 0 else "")


def write(path, rows, verdicts, sections, site=DEFAULT_SITE):
    """Write ``page`` to ``path``."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(page(rows, verdicts, sections, site))
