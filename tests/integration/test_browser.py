"""Every page of the built site, opened in Debian's Chromium as a reader
would: nothing fetched from outside 127.0.0.1, no failed request, no console
error, math rendered by the site's own MathJax, alt text on every image;
at 1280 px every display equation and table within its column and no
equation under its number, and at 390 px (a phone) no page wider than the
screen and sidebar buttons that open their sidebars. The site, its server
and Chromium are the session's (tests/conftest.py)."""

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


# What sticks out of its place on the page, as Chromium lays it out (after MathJax and the
# fonts are ready): each display equation's box within its container and the article's
# column, its typeset content within that box (the theme scrolls and cuts what is wider)
# and clear of its number; each table of the article within the column. A list of lines.
OVERFLOWS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
  const problems = [], px = r => Math.round(r.width);
  const article = document.querySelector('article.bd-article') || document.body;
  const style = getComputedStyle(article), outer = article.getBoundingClientRect();
  const column = {left: outer.left + parseFloat(style.paddingLeft), right: outer.right - parseFloat(style.paddingRight)};
  column.width = column.right - column.left;
  const within = (r, o) => r.left >= o.left - 1 && r.right <= o.right + 1;
  const overlap = (r, o) => r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom;
  document.querySelectorAll('mjx-container[display="true"]').forEach((m, i) => {
    const holder = m.closest('div.math') || m.parentElement, label = holder.querySelector('.eqno');
    const text = (m.querySelector('mjx-assistive-mml') || m).textContent.replace(/\\s+/g, ' ').trim();
    const name = label ? 'equation ' + label.textContent.replace(/#/g, '').trim()
                       : `display equation ${i + 1} ("${text.slice(0, 30)}")`;
    const box = m.getBoundingClientRect(), content = (m.querySelector('mjx-math') || m).getBoundingClientRect();
    if (!within(box, holder.getBoundingClientRect()) || !within(box, column))
      problems.push(`${name}: its box (${px(box)} px) runs out of its container or of the ${px(column)} px column`);
    if (!within(content, box))
      problems.push(`${name}: ${px(content)} px of math in a ${px(box)} px box, cut`);
    if (label && overlap(label.getBoundingClientRect(), content))
      problems.push(`${name}: its number covers it`);
  });
  article.querySelectorAll('table').forEach((t, i) => {
    const r = t.getBoundingClientRect();
    const head = (t.querySelector('caption, th, td') || t).textContent.replace(/\\s+/g, ' ').trim();
    if (!within(r, column))
      problems.push(`table ${i + 1} ("${head.slice(0, 30)}"): ${px(r)} px wide in the ${px(column)} px column`);
  });
  return problems;
}"""

# How wide the page is, and what makes it wider than the screen: elements that reach past its
# right edge with nothing around them that scrolls or clips them (a table in the theme's
# scrolling container is fine; a page the reader must pan is not)
PAGE_WIDTH = """() => {
  const width = document.documentElement.scrollWidth, screen = window.innerWidth;
  const free = e => { for (let p = e; p; p = p.parentElement) {
    const s = getComputedStyle(p);  // fixed: a drawer off the screen, not part of the page
    if (s.position === 'fixed' || s.visibility === 'hidden') return false;
    if (p !== e && p !== document.body && p !== document.documentElement && s.overflowX !== 'visible') return false;
  } return true; };
  const culprits = width <= screen ? [] : [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > screen + 1 && free(e))
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} `
              + `"${e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 40)}"`);
  return [width, culprits.slice(0, 3)];
}"""
PHONE = {"width": 390, "height": 844}


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
    overflows = page.evaluate(OVERFLOWS)
    # the same page on a phone: resized, not opened again (the layout is the screen width's)
    page.set_viewport_size(PHONE)
    width, culprits = page.evaluate(PAGE_WIDTH)
    context.close()

    problems = []
    for label, items in [("request left 127.0.0.1", outside), ("failed request", failed),
                         ("console error", errors), ("image without alt text", no_alt),
                         ("at 1280 px", overflows)]:
        problems += [f"{label}: {item}" for item in items]
    if raw:
        problems.append(f"{raw} of {n_math} math elements not rendered by MathJax")
    if width > PHONE["width"]:
        problems.append(f"at {PHONE['width']} px the page is {width} px wide: " + ", ".join(culprits))
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
        '<html><head><script src="_static/mathjax/tex-chtml.js"></script>'
        '<style>div.math mjx-container { flex-grow: 1; min-width: 0 }</style></head><body>'
        '<span class="math">\\(x_{\\unknowncommand</span>'
        '<div class="math"></div>'
        '<img src="http://example.invalid/a.png">'
        '<img src="_static/no-such-image.png" alt="missing">'
        '<script>console.error("deliberate")</script>'
        # a display equation wider than its column, running under its number (laid out as the theme
        # does), and a table wider than the column, which also makes the page wider than a phone
        '<article class="bd-article" style="width: 400px">'
        '<div class="math" style="display: flex; flex-direction: row-reverse"><span class="eqno">(9.9)</span>'
        '\\[a_1 + a_2 + a_3 + a_4 + a_5 + a_6 + a_7 + a_8 + a_9 + a_{10} + a_{11} + a_{12} + a_{13}\\]</div>'
        '<table style="width: 600px"><tr><td>a too wide table</td></tr></table></article></body></html>')
    try:
        # its math never renders: no need to wait the full 15 s for it
        problems = "\n".join(inspect_page(chromium, f"{base}/{broken.name}", tmp_path / "b.png", math_timeout=2000))
    finally:
        broken.unlink()
    for expected in ["request left 127.0.0.1: http://example.invalid/a.png",
                     "failed request", "console error: deliberate",
                     "image without alt text", "math elements not rendered",
                     "px of math in a", "at 1280 px: equation (9.9): its number covers it",
                     'at 1280 px: table 1 ("a too wide table"): 600 px wide in the 400 px column',
                     "at 390 px the page is"]:
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


def test_sidebar_buttons_open_their_sidebars_on_a_phone(served, chromium):
    """On a 390 px screen the header's two buttons open the chapters and the page's contents
    (book/_static/sidebars.js), each within the screen."""
    base, _ = served
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/book/intro.html", wait_until="networkidle")
    for kind, expected in [("primary", "Chapters"), ("secondary", "Notation")]:
        page.locator(f"button.{kind}-toggle:visible").click()
        dialog = page.locator(f"#pst-{kind}-sidebar-modal")
        dialog.wait_for(state="visible", timeout=5000)
        assert expected in dialog.inner_text(), f"the {kind} sidebar opened without its links"
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, f"the {kind} sidebar runs off the screen"
        assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth"), f"the {kind} sidebar scrolls sideways"
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=5000)
    context.close()
