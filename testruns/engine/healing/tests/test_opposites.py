"""Which label changes name the opposite action."""

from __future__ import annotations

import pytest

from testruns.engine.healing.opposites import opposed
from testruns.engine.healing.similarity import text_similarity, words


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sign in", "Sign out"),
        ("Sign in", "Sign up"),
        ("Zoom in", "Zoom out"),
        ("Lock", "Unlock"),
        ("Enable", "Disable"),
        ("Select all", "Deselect all"),
        ("Add to cart", "Remove from cart"),
        ("Next", "Previous"),
        ("Remember me", "Don't remember me"),
        ("This week", "This month"),
        ("Sort ascending", "Sort descending"),
        ("Save changes", "Discard changes"),
        ("High priority", "Low priority"),
        ("Inbound", "Outbound"),
    ],
)
def test_a_word_traded_for_its_opposite_is_another_action(a: str, b: str) -> None:
    assert opposed(words(a), words(b)) and opposed(words(b), words(a))
    assert text_similarity(a, b, precise=True) == 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sign in", "Log in"),
        ("Log in", "Log on"),
        ("Delete", "Remove"),
        ("Save", "Save changes"),
        ("Continue", "Next"),
        ("Cancel", "Dismiss"),
        ("Get started", "Start now"),
        ("Remember me", "Keep me signed in"),
        ("Do", "Undo"),  # too short to be read as a prefixed word
    ],
)
def test_a_reworded_or_qualified_label_is_not_an_opposite(a: str, b: str) -> None:
    assert not opposed(words(a), words(b))
