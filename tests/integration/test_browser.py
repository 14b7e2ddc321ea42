"""Every page of the built site, opened in Debian's Chromium as a reader
would: nothing fetched from outside 127.0.0.1, no failed request, no console
error, math rendered by the site's own MathJax, alt text on every image.
The site, its server and Chromium are the session's (tests/conftest.py)."""

from urllib.parse import urlparse


def pages(html):
    """Every HTML page of the site (not the theme's assets or copied sources, nor the
    in-browser notebook app under lite/, which test_in_browser opens)."""
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if not any(part.startswith(("_", ".")) for part in p.relative_to(html).parts)
                  and p.relative_to(html).parts[0] != "lite")


def test_site_has_pages(served):
    _, html = served
    assert {"index.html", "book/intro.html", "book/ch01_neuron_model.html",
            "book/exercises.html"} <= set(pages(html))


def inspect_page(browser, url, screenshot, math_timeout=15000):
    """What is wrong with one page as Chromium shows it, as a list of lines
    (math not typeset within ``math_timeout`` ms counts as raw)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside, failed, errors = [], [], []

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:  # never let it leave the machine; record it as a failure
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} ({r.status})"))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(url, wait_until="networkidle")
    n_math = page.locator(".math").count()
    if n_math:
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.math')].every(m => m.querySelector('mjx-container'))",
                timeout=math_timeout)
        except Exception:
            pass  # counted below
    raw = page.locator(".math:not(:has(mjx-container))").count()
    no_alt = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)")
    page.screenshot(path=str(screenshot))  # what a reader sees first (a full page costs 2 s more)
    context.close()

    problems = []
    for label, items in [("request left 127.0.0.1", outside), ("failed request", failed),
                         ("console error", errors), ("image without alt text", no_alt)]:
        problems += [f"{label}: {item}" for item in items]
    if raw:
        problems.append(f"{raw} of {n_math} math elements not rendered by MathJax")
    return problems


def test_every_page_renders_offline(served, chromium, tmp_path):
    base, html = served
    problems = []
    for name in pages(html):
        shot = tmp_path / (name.replace("/", "__") + ".png")
        problems += [f"{name}: {p}" for p in inspect_page(chromium, f"{base}/{name}", shot)]
        assert shot.stat().st_size > 10_000, f"{name}: the screenshot is blank"
    assert not problems, "\n".join(problems)


def test_page_check_catches_what_it_looks_for(served, chromium, tmp_path):
    """The page check itself fails on a page with each kind of problem."""
    base, html = served
    broken = html / "_broken_test_page.html"
    broken.write_text(
        '<html><head><script src="_static/mathjax/tex-chtml.js"></script></head><body>'
        '<span class="math">\\(x_{\\unknowncommand</span>'
        '<div class="math"></div>'
        '<img src="http://example.invalid/a.png">'
        '<img src="_static/no-such-image.png" alt="missing">'
        '<script>console.error("deliberate")</script></body></html>')
    try:
        # its math never renders: no need to wait the full 15 s for it
        problems = "\n".join(inspect_page(chromium, f"{base}/{broken.name}", tmp_path / "b.png", math_timeout=2000))
    finally:
        broken.unlink()
    for expected in ["request left 127.0.0.1: http://example.invalid/a.png",
                     "failed request", "console error: deliberate",
                     "image without alt text", "math elements not rendered"]:
        assert expected in problems, f"missed {expected!r} in:\n{problems}"


def test_chapter_math_is_typeset(served, chromium):
    """The chapter's formulas are typeset, not shown as raw LaTeX."""
    base, _ = served
    page = chromium.new_page()
    page.goto(f"{base}/book/ch01_neuron_model.html", wait_until="networkidle")
    page.wait_for_selector("mjx-container", timeout=20000)
    assert page.locator("mjx-container").count() >= 1
    assert "\\sum" not in page.inner_text("main")
    page.close()
