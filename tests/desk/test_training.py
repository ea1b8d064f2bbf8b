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
