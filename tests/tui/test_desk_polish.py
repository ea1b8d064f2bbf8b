"""The front desk polished (issue 12): each test names the finding it covers and failed
on the code before its fix. Real database file, real simulator over mTLS, Pilot at 80×24.
"""

from __future__ import annotations

import dataclasses

import pytest

from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Status
from tests.tui.conftest import ADRTROIS, ECETINSI_DIFF, add_patient, wait_until
from tests.tui.test_e2e_pcscd import private_pcscd  # noqa: F401 - fixture
from tests.tui.test_identity_flows import identity_screen, open_and_search, text_of

NO_BIRTHPLACE = dataclasses.replace(ADRTROIS, birthplace=None)


async def test_f5_missing_birthplace_is_said_not_called_a_perfect_match(make_app, store):
    """F5: a local identity without birthplace, INSi answering one. Tried: the verdict
    line and the comparison. Before: « Correspondance parfaite » and the bare code."""
    from ins_tui.refdata import load_cog

    patient_id = add_patient(store, NO_BIRTHPLACE)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.MATCHED  # the setting lets it through
        state = text_of(screen, "#identity-state")
        assert "Correspondance parfaite" not in state
        assert "lieu de naissance absent côté local" in state and "non comparé" in state
        load_cog()
        await wait_until(pilot, lambda: "2B020 — Aregno (2B)" in text_of(screen,
                                                                          "#comparison"),
                         what="place name in the comparison")


def test_f5_blocking_setting_words_the_missing_trait(desk, store):
    """F5 with `missing_birthplace_blocks_match`: the verdict is « à vérifier », naming
    the trait missing, not « différents »."""
    desk.missing_birthplace_blocks = True
    from ins_tui.domain.model import Channel

    pid = add_patient(store, NO_BIRTHPLACE, arrival=None)
    result = desk.retrieve_ins(pid, Channel.INSI)
    assert result.kind is InsiResultKind.DIFFERENT
    assert "lieu de naissance absent côté local" in result.message_fr
    assert "différents :" not in result.message_fr


def test_f5_place_cells_read_like_an_id_card():
    """F5: « 63220 — Clermont-Ferrand (63) », « 99132 — Royaume-Uni », overseas on 3
    digits, unknown code alone."""
    from ins_tui.refdata import load_cog
    from ins_tui.tui.widgets.comparison import place_cell

    name_of = load_cog().name_of
    assert place_cell("63113", name_of) == "63113 — Clermont-Ferrand (63)"
    assert place_cell("99132", name_of) == "99132 — Royaume-Uni"
    assert place_cell("97411", name_of).endswith("(974)")
    assert place_cell("63113") == "63113"


async def test_f7_adopting_the_ins_traits_asks_first(make_app, store):
    """F7: « a » on differences. Tried: « a » then « n » (nothing changes), then « a »,
    « o » (adopted). Before: « a » replaced the local traits at once."""
    from ins_tui.tui.screens.confirm import ConfirmModal

    patient_id = add_patient(store, ECETINSI_DIFF)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.DIFFERENT
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="asked")
        question = str(app.screen.query_one("#confirm-question").render())
        assert "Lieu de naissance : 75056" in question and "→" in question
        await pilot.press("n")
        await wait_until(pilot, lambda: identity_screen(app) is screen, what="back")
        assert store.get_patient(patient_id).traits.birthplace == "75056"
        assert store.get_patient(patient_id).status is Status.PROV
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), what="asked")
        await pilot.press("o")
        await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.RECUP,
                         what="adopted")
        assert store.get_patient(patient_id).traits.birthplace != "75056"


async def _card_to_qual(app, pilot, store, source, patient_id):
    from tests.tui.test_card_flows import insert_from_thread

    insert_from_thread(source, "adrtrois-toussaint")
    await wait_until(pilot, lambda: identity_screen(app) is not None
                     and identity_screen(app).result is not None, what="INSi result")
    await pilot.press("enter", "1", "enter")
    await wait_until(pilot, lambda: store.get_patient(patient_id).status is Status.QUAL,
                     what="QUAL")


async def test_f2_f3_card_qualified_patient_is_put_on_the_list(make_app, store, clock):
    """F2 + F3: card inserted, INSi match, Enter, ID document. Tried: the practitioner is
    asked right after the qualification (two configured), the visit is stored; back on the
    list the status line no longer says « lecture en cours ». Before: no visit, and the
    line stayed on « Carte Vitale insérée : lecture en cours… »."""
    from textual.widgets import Static

    from ins_tui.card.source import InProcessCardSource
    from ins_tui.tui.screens.choice_list import ChoiceList

    patient_id = add_patient(store, ADRTROIS, arrival=None)
    source = InProcessCardSource()
    app = make_app(card_source=source)
    async with app.run_test(size=(80, 24)) as pilot:
        await _card_to_qual(app, pilot, store, source, patient_id)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="who")
        await pilot.press("2")
        visits = lambda: store.visits_for_day(clock.now().date())  # noqa: E731
        await wait_until(pilot, lambda: len(visits()) == 1, what="arrival stored")
        assert visits()[0].patient_id == patient_id
        assert visits()[0].practitioner == "Dr Bernard"
        await wait_until(pilot, lambda: identity_screen(app) is not None, what="identity")
        await pilot.press("escape")
        main = app.main_screen()
        await wait_until(pilot, lambda: app.screen is main, what="list")
        line = str(main.query_one("#status-line", Static).render())
        assert "lecture en cours" not in line
        assert len(visits()) == 1  # leaving does not ask or add a second time


@pytest.mark.parametrize("setting", [True, False], ids=["on", "off"])
async def test_f2_one_practitioner_and_leaving_without_qualifying(make_app, store, clock,
                                                                  setting):
    """F2: one practitioner configured, the secretary leaves the card's patient with Échap
    before qualifying: the arrival is added without a question. With `arrival_on_card`
    off, nothing is added."""
    from ins_tui.card.source import InProcessCardSource
    from ins_tui.config import Config
    from tests.tui.test_card_flows import insert_from_thread

    add_patient(store, ADRTROIS, arrival=None)
    source = InProcessCardSource()
    app = make_app(card_source=source, config=Config(practitioners=("Dr Seul",),
                                                     arrival_on_card=setting))
    async with app.run_test(size=(80, 24)) as pilot:
        insert_from_thread(source, "adrtrois-toussaint")
        await wait_until(pilot, lambda: identity_screen(app) is not None
                         and identity_screen(app).result is not None, what="INSi")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main_screen(), what="list")
        if setting:
            await wait_until(pilot, lambda: len(store.visits_for_day(
                clock.now().date())) == 1, what="arrival added")
            assert store.visits_for_day(clock.now().date())[0].practitioner == "Dr Seul"
        else:
            await app.workers.wait_for_complete()
            assert store.visits_for_day(clock.now().date()) == []


LONG_FIRST_NAMES = "PIERRE-ALAIN MARIE-CHRISTOPHE JEAN-ANTOINE ANNE-SOPHIE BERNADOTTE"


def _visible(app, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    region = widget.region
    return region.height > 0 and region.y >= 0 and region.bottom <= app.size.height


async def test_f6_verdict_and_qualify_prompt_stay_on_an_80x24_screen(make_app, store):
    """F6: local first names 62 characters long and a long used name, INSi answering other
    traits; the INS traits adopted (a, o). Tried at 80×24: with the comparison and its
    « importé de l'INSi » notes on screen, the verdict line and « Entrée : qualifier » are
    inside the 24 rows (only the comparison scrolls). Before: the prompt scrolled off."""
    assert len(LONG_FIRST_NAMES) >= 60
    traits = dataclasses.replace(ECETINSI_DIFF, first_names=LONG_FIRST_NAMES,
                                 first_name="PIERRE-ALAIN",
                                 used_name="DE LA TOUR D'AUVERGNE-LAURAGUAIS")
    pid = add_patient(store, traits, arrival=None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, pid)
        assert screen.result.kind is InsiResultKind.DIFFERENT
        await pilot.press("a")
        await wait_until(pilot, lambda: identity_screen(app) is None, what="asked")
        await pilot.press("o")
        await wait_until(pilot, lambda: identity_screen(app) is screen
                         and "Entrée : qualifier" in text_of(screen, "#identity-next"),
                         what="prompt")
        await pilot.pause()
        assert screen.query_one("#comparison").region.height > 0
        assert _visible(app, "#identity-next") and _visible(app, "#identity-state")


def test_f15_minors_only_documents_by_age():
    """F15: the document list for an adult leaves out the birth extract, the family
    record book(s) and the minor's travel document; a minor gets them; an unknown or
    lunar birth date keeps everything. The 18th birthday is exact to the day."""
    from datetime import date

    from ins_tui.domain.documents import ALL_DOCUMENTS, documents_for_age, is_minor

    today = date(2026, 12, 6)
    adult = {d.code for d in documents_for_age(ALL_DOCUMENTS, "1980-02-01", today)}
    child = {d.code for d in documents_for_age(ALL_DOCUMENTS, "2015-05-05", today)}
    assert {"AN", "LE", "LEP", "CC"} & adult == set()
    assert {"CN", "PA", "CS", "LECV", "ANCV"} <= adult
    assert {"AN", "LE", "LEP", "CC", "CN"} <= child
    assert len(documents_for_age(ALL_DOCUMENTS, None, today)) == len(ALL_DOCUMENTS)
    assert is_minor("2008-12-06", today) is False and is_minor("2008-12-07", today) is True
    assert is_minor("2008-13-40", today) is None  # lunar in the year of the birthday


async def test_f15_document_step_is_age_aware_and_the_desk_refuses_too(make_app, store,
                                                                       desk):
    """F15: Enter on an adult's RECUP identity. Tried: the list offered, then the desk
    asked directly for a birth extract (as a stale screen would): refused in French,
    status unchanged. Before: every document was offered and accepted."""
    from ins_tui.tui.screens.document_step import DocumentStep

    patient_id = add_patient(store, ADRTROIS, arrival=None)  # born 1960
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_and_search(app, pilot, patient_id)
        assert screen.result.kind is InsiResultKind.MATCHED
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DocumentStep), what="list")
        offered = [code for code, _label in app.screen._documents]
        assert "CN" in offered and "AN" not in offered and "LE" not in offered
    refused = desk.qualify(patient_id, "AN")
    assert not refused.ok and "mineur" in refused.message_fr
    assert store.get_patient(patient_id).status is Status.RECUP


async def test_f12_incoherent_answer_names_the_keys_that_act_on_it(make_app, store,
                                                                   simulator):
    """F12. Tried: INSi answers with a foreign OID (`1.2.3.4.5`). Before, the message ended
    there and the secretary had to guess; now the next line names « i : réessayer » and
    « e : modifier », and the record keeps its status."""
    patient_id = add_patient(store, ADRTROIS)
    simulator.evil = "foreign_oid"
    app = make_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_and_search(app, pilot, patient_id)
            assert screen.result.kind not in (InsiResultKind.MATCHED,
                                              InsiResultKind.DIFFERENT)
            assert "i : réessayer" in text_of(screen, "#identity-next")
            assert "e : modifier" in text_of(screen, "#identity-next")
    finally:
        simulator.evil = None
    assert store.get_patient(patient_id).status is Status.PROV


async def test_f12_cps_card_is_named_through_pcscd(private_pcscd, make_app, store):  # noqa: F811
    """F12. Tried: the practitioner's CPS card pushed into the reader (real pcscd, virtual
    card with a CPS ATR). Before: « pas une carte Vitale ». Now the status line names it
    and says what to insert."""
    from ins_tui.card.errors import CPS_MESSAGE
    from ins_tui.card.profiles import get_profile
    from ins_tui.card.source import PcscCardSource
    from ins_tui.card.virtual import VirtualCard

    app = make_app(card_source=PcscCardSource(poll_timeout=0.2))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "lecteur" in app.reader_state
                         and "attente" not in app.reader_state, what="watcher up")
        with VirtualCard(get_profile("cps"), port=private_pcscd):
            await wait_until(pilot, lambda: "Carte CPS du praticien" in status_line(app),
                             timeout=20, what="CPS named")
        assert CPS_MESSAGE.split(" — ")[0] in status_line(app)
        assert "insérez la carte Vitale du patient" in status_line(app)


def status_line(app) -> str:
    from textual.widgets import Static

    return " ".join(str(s.render()) for s in app.screen.query("#status-line").results(Static))
