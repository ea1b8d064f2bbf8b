"""Training environment: own database seeded once, simulator on loopback, cards, ApCV."""

from __future__ import annotations

from ins_tui.config import Config
from ins_tui.desk.results import InsiResultKind
from ins_tui.desk.training import SCENARIOS, TrainingEnvironment
from ins_tui.domain.model import Status


def test_training_environment_end_to_end(tmp_path):
    config = Config(training_db_path=tmp_path / "formation.sqlite",
                    training_dir=tmp_path / "formation", db_path=tmp_path / "prod.sqlite")
    with TrainingEnvironment.open(config, actor="formatrice", prefer_pcscd=False) as env:
        desk, sim = env.desk, env.simulator
        assert not config.db_path.exists()  # the production file is never touched
        day = desk.day_list()
        assert len(day) >= len(SCENARIOS)
        assert desk.search_patients("ADRTROIS")
        # A test card through the card teammate's source and the real reader code.
        env.cards.insert("adrun-zoe")
        card = env.cards.source.read(env.cards.readers[0])
        benef = desk.pick_beneficiary(card.beneficiaries)
        match = desk.match_beneficiary(benef)
        assert match.needs_insi
        result = desk.retrieve_ins(match.prepared)
        assert result.kind is InsiResultKind.MATCHED, result.message_fr
        assert sim.request_count >= 1
        # ApCV: QUAL, and the simulator saw no request.
        before = sim.request_count
        holder = desk.apcv_identities()[0]
        assert desk.apcv_present(holder, None).status is Status.QUAL
        assert sim.request_count == before
        patients_before = len(desk.search_patients("", birth_date="1960-01-01"))
    # Reopening reuses the file without seeding it again.
    with TrainingEnvironment.open(config, prefer_pcscd=False) as env:
        assert len(env.desk.search_patients("", birth_date="1960-01-01")) == patients_before
        assert env.desk.get_patient(result.patient_id).status is Status.RECUP


def test_training_gives_each_new_day_its_own_waiting_list(tmp_path):
    """Tried: a training database seeded one day and opened again the next morning (and at
    04:30, before the usual opening hours). Each day gets a list whose arrivals are all in
    the past and in order; patients are created only once."""
    from datetime import datetime, timedelta

    from ins_tui.desk.training import DEMO_VISITS, seed_training_data
    from ins_tui.store import Store

    path = tmp_path / "formation.sqlite"
    day1 = datetime(2026, 11, 27, 10, 15).astimezone()
    store = Store.open(path, clock=lambda: day1)
    assert seed_training_data(store) is True
    patients = store.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    first = store.visits_for_day()
    assert len(first) == DEMO_VISITS + len(SCENARIOS)
    store.close()

    day2 = (day1 + timedelta(days=1)).replace(hour=4, minute=30)
    store = Store.open(path, clock=lambda: day2)
    assert seed_training_data(store) is False
    assert store.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == patients
    second = store.visits_for_day()
    assert len(second) == DEMO_VISITS + len(SCENARIOS)
    arrivals = [v.arrived_at for v in second]
    assert arrivals == sorted(arrivals)
    assert all(a <= day2.isoformat(timespec="seconds") for a in arrivals)
    assert all(a.startswith("2026-11-28") for a in arrivals)
    # Opening again the same day adds nothing.
    assert seed_training_data(store) is False
    assert len(store.visits_for_day()) == len(second)
    store.close()
