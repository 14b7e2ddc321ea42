"""Per-student variants (backprop/variants.py): the same id always gets the
same variant, a class spreads over all of them, an empty id is told what to
do."""

from collections import Counter

import pytest

from coursework import variants


@pytest.mark.parametrize("assignment", sorted(variants.OPTIONS))
def test_a_class_spreads_over_every_variant_and_an_id_keeps_its_own(assignment):
    ids = [f"s{n:04d}" for n in range(1000)]
    counts = Counter(variants.variant(assignment, i).name for i in ids)
    share = 1000 / len(variants.names(assignment))
    assert set(counts) == set(variants.names(assignment))
    assert all(0.75 * share < c < 1.25 * share for c in counts.values()), counts
    assert [variants.variant(assignment, i) for i in ids[:20]] == [variants.variant(assignment, i) for i in ids[:20]]
    # spaces around an id are not part of it
    assert variants.variant(assignment, " s0001 ").name == variants.variant(assignment, "s0001").name


def test_an_empty_id_is_told_what_to_do():
    with pytest.raises(ValueError, match="enter your id in the cell above"):
        variants.variant("ch02_sigmoid", "  ")
