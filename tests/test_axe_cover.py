"""The sample of states that ``axe.check`` runs colour contrast on shows every text style."""

from __future__ import annotations

from axe import covering


def test_the_sample_shows_every_style_and_skips_pages_that_add_none() -> None:
    styles = {
        "index": frozenset({"h1", "p", "a"}),
        "area-1": frozenset({"h1", "p", "td"}),
        "area-2": frozenset({"h1", "p", "td"}),
        "area-3": frozenset({"h1", "td", "withheld"}),
        "about": frozenset({"p"}),
    }
    chosen = covering(styles)
    assert frozenset().union(*(styles[k] for k in chosen)) == frozenset().union(*styles.values())
    assert "area-3" in chosen  # the only page with a withheld cell
    assert "about" not in chosen and not {"area-1", "area-2"} <= set(chosen)
    assert len(chosen) == 2


def test_no_states_no_sample() -> None:
    assert covering({}) == []
