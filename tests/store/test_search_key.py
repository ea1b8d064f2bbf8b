"""Search keys: only A–Z, and what one types folds to the key of what is stored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ins_tui.domain.names import NameKind, normalise_name
from ins_tui.store.search_key import stored_key, typed_key

LETTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@given(st.text(max_size=40))
def test_typed_key_is_letters_only(text: str) -> None:
    assert set(typed_key(text)) <= LETTERS


@given(st.text(alphabet="abcdeéèêëàâçîïôœæùûüÿ ’'-ABCXYZ", min_size=1, max_size=30))
def test_typed_text_finds_its_normalised_form(text: str) -> None:
    """Whatever normalise_name would store, typing the raw text yields the same key."""
    stored = normalise_name(text, NameKind.BIRTH_NAME).value
    if stored is not None:
        assert typed_key(text) == stored_key(stored)


def test_examples() -> None:
    assert stored_key("DE LA FONTAINE") == "DELAFONTAINE"
    assert stored_key("N'DIAYE") == "NDIAYE"
    assert stored_key(None) == ""
    assert typed_key("Lefèvre") == "LEFEVRE"
    assert typed_key("jean-") == "JEAN"
    assert typed_key("d’Œuf") == "DOEUF"
    assert typed_key("dup0nt") == "DUPNT"  # a digit has no letter: dropped, never an error
