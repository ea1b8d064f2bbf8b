"""The patient search accepts a NIR or an INS as a secretary types it (issue 10 item 5).

Tried: the published test INS typed with spaces, with and without its key, a Corsican
number with `2B`, a former INS (from the INS history), a card NIR, and a 15-character
number whose key is wrong — refused with a French message, no search made, so a typing
mistake cannot open somebody else's record.
"""

from __future__ import annotations

from ins_tui.domain.model import Channel, Ins, InsHistoryEntry, InsIdentity, Sex, Traits
from tests.tui.conftest import ADRTROIS, ECETINSI_DIFF, add_patient, wait_until
from tests.tui.test_desk_flows import type_text

SIZE = (80, 24)


def _with_ins(store, traits, ins: Ins, history: tuple = ()) -> int:
    pid = add_patient(store, traits, arrival=None)
    store.set_ins(pid, InsIdentity(ins, traits, history), import_traits=False, actor="test")
    return pid


async def _search(app, pilot, text: str):
    from ins_tui.tui.screens.search import SearchScreen

    await pilot.press("r")
    await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen), what="search")
    search = app.screen
    await type_text(pilot, text)
    await wait_until(pilot, lambda: search.records or search.query_one("#status-line")
                     .render().plain.strip(), what="search answered")
    return search


async def test_nir_and_ins_forms_find_the_patient(make_app, store):
    ece = _with_ins(store, ECETINSI_DIFF, Ins("1090763220834", "89", "1.2.250.1.213.1.4.10"),
                    (InsHistoryEntry(Ins("2090763220834", "39", "1.2.250.1.213.1.4.10")),))
    corse = _with_ins(store, ADRTROIS, Ins("180032B020401", "23", "1.2.250.1.213.1.4.10"))
    with store.action("test", "carte"):
        card = store.create_patient(
            Traits("NESSI", "NATHALIE", Sex.F, "1977-07-14", "63220", "NATHALIE"),
            channel=Channel.CARTE_VITALE, nir="277076322082910")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for text, expected in (("1 09 07 63 220 834 89", ece), ("1090763220834", ece),
                               ("1.09.07.63.220.834", ece), ("2 09 07 63 220 834 39", ece),
                               ("1 80 03 2B 020 401 23", corse), ("180032b020401", corse),
                               ("2 77 07 63 220 829 10", card)):
            search = await _search(app, pilot, text)
            await wait_until(pilot, lambda s=search, e=expected: [r.id for r in s.records] == [e],
                             what=f"patient found by {text}")
            await pilot.press("escape")


async def test_wrong_key_is_refused_without_searching(make_app, store):
    _with_ins(store, ECETINSI_DIFF, Ins("1090763220834", "89", "1.2.250.1.213.1.4.10"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        search = await _search(app, pilot, "1 09 07 63 220 834 88")
        line = search.query_one("#status-line").render().plain
        assert "Clé incorrecte" in line and search.records == []
