"""grader/mathml.py: the math of a feedback page's prose becomes MathML; code,
outputs and TeX it cannot convert are left as they are; nothing in a
formula's text becomes markup."""

from grader.mathml import typeset


def test_inline_and_display_math_become_mathml():
    page = typeset("<p>the error $E = \\frac12 \\sum_j (T_j - O_j)^2$ and</p><p>$$Err_j = O_j (1 - O_j)$$</p>")
    assert page.count("<math") == 2 and 'display="inline"' in page and 'display="block"' in page
    assert "$" not in page and "<mfrac>" in page


def test_code_and_outputs_keep_their_dollars():
    page = "<pre>print('$5 and $6')</pre><code>$x$</code><p>costs $5 and $6</p>"
    assert typeset(page).startswith("<pre>print('$5 and $6')</pre><code>$x$</code>")


def test_text_in_a_formula_is_escaped_not_markup():
    page = typeset("<p>$\\text{&lt;script&gt;alert(1)&lt;/script&gt;} x &lt; y$</p>")
    assert "<script" not in page and "&lt;script&gt;" in page and "<math" in page


def test_tex_it_cannot_convert_stays_as_written():
    assert typeset("<p>$x^{$</p>") == "<p>$x^{$</p>"  # an unclosed brace
