"""Birthplaces shown by name with their code on the identity screen."""

from __future__ import annotations

import pytest

from ins_tui.refdata import load_cog
from ins_tui.tui import format as fmt
from tests.tui.conftest import ADRTROIS, add_patient, wait_until
from tests.tui.test_identity_flows import identity_screen, text_of


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2B020", "Aregno (2B020)"),
        ("99134", "Espagne (99134)"),
        ("75115", "Paris 15e Arrondissement (75115)"),
        ("99999", "inconnu (99999)"),
        ("01999", "01999"),  # well formed, absent from the tables: the code alone
        (None, "—"),
    ],
)
def test_place_text(code, expected):
    assert fmt.place(code, load_cog().name_of) == expected


def test_long_place_name_cut_but_code_whole():
    text = fmt.place("12345", lambda _code: "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson")
    assert text.endswith("… (12345)") and len(text) == fmt.PLACE_NAME_WIDTH + len(" (12345)")


async def test_patient_opened_before_the_tables_load_gets_the_name(make_app, store):
    """Opened from the list with no INSi search: the COG tables are not loaded yet (cache
    cleared), the screen shows the code at once, loads them in a worker, then the name."""
    patient_id = add_patient(store, ADRTROIS)
    load_cog.cache_clear()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.desk is not None, what="desk")
        app.open_patient(patient_id)
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        screen = identity_screen(app)
        await wait_until(pilot, lambda: bool(screen.query("#identity-who")), what="composed")
        await wait_until(pilot, lambda: "Aregno (2B020)" in text_of(screen, "#identity-who"),
                         what="place name")
