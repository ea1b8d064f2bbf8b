"""Production wiring, which training mode never goes through: the configured database file,
the configured INSi endpoint over mutual TLS with the structure certificate (password from
the environment), and the practice's settings reaching the desk.

Production once built its desk by hand and silently ignored
`missing_birthplace_blocks_match`; both modes now go through `Desk.from_config`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ins_tui.config import Config, ConfigError, load_config
from ins_tui.desk.results import InsiResultKind
from ins_tui.domain.model import Channel
from ins_tui.insi.simulator import TRAINING_IDAM
from ins_tui.tui.launch import _production_backend
from tests.desk.conftest import form

# CNDA test identity (insi-contract.md): found with a perfect match.
ADRTROIS = form(birth_name="Adrtrois", first_names="Toussaint", sex="M",
                birth_date="01/01/1960", birthplace="2B020")


def _production_config(simulator, tmp_path, **extra) -> Config:
    paths = simulator.paths
    return Config(db_path=tmp_path / "cabinet.sqlite", insi_endpoint=simulator.url,
                  insi_p12=str(paths.client_p12), insi_ca_bundle=str(paths.ca_cert),
                  insi_idam=TRAINING_IDAM, **extra)


def test_production_backend_opens_the_configured_parts(simulator, tmp_path, monkeypatch):
    simulator.fault_rate = 0.0
    config = _production_config(simulator, tmp_path, timezone="Indian/Reunion",
                                missing_birthplace_blocks_match=True)
    assert config.production
    monkeypatch.setenv("INS_TUI_P12_PASSWORD", simulator.paths.p12_password.decode())
    backend = _production_backend(config, "Claire")()
    try:
        desk = backend.desk
        assert desk.missing_birthplace_blocks is True
        assert desk.actor == "Claire"
        # The practice's zone, not the machine's (UTC here): Réunion is UTC+4 all year.
        assert desk.clock.now().utcoffset() == timedelta(hours=4)
        assert desk.store.now().utcoffset() == timedelta(hours=4)
        assert (tmp_path / "cabinet.sqlite").stat().st_mode & 0o777 == 0o600
        patient_id = desk.create_patient(ADRTROIS).patient_id
        result = desk.retrieve_ins(patient_id, Channel.INSI)
        assert result.kind is InsiResultKind.MATCHED, result.message_fr
        assert result.identity.ins.matricule.startswith("1600")
    finally:
        if backend.close is not None:
            backend.close()


def test_production_backend_with_a_wrong_password_says_so(simulator, tmp_path, monkeypatch):
    """Tried: the structure certificate's password mistyped. The search fails with the
    French certificate message; nothing is queued for a retry that could never work."""
    config = _production_config(simulator, tmp_path)
    monkeypatch.setenv("INS_TUI_P12_PASSWORD", "pas-le-bon")
    backend = _production_backend(config, None)()
    try:
        patient_id = backend.desk.create_patient(ADRTROIS).patient_id
        result = backend.desk.retrieve_ins(patient_id, Channel.INSI)
        assert result.kind is not InsiResultKind.QUEUED
        assert "mot de passe" in result.message_fr
        assert backend.desk.pending_retries() == 0
    finally:
        if backend.close is not None:
            backend.close()


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Indian/Mayotte", ""])
def test_time_zone_setting_accepted(tmp_path, zone):
    path = tmp_path / "config.toml"
    path.write_text(f'timezone = "{zone}"\n', encoding="utf-8")
    assert load_config(path, {}).timezone == zone
    assert load_config(path, {"INS_TUI_TIMEZONE": "Europe/Paris"}).zone() is not None


@pytest.mark.parametrize("zone", ["Paris", "Europe/Pariss", "../../etc/passwd", "UTC+1"])
def test_unknown_time_zone_refused_in_french(tmp_path, zone):
    """Tried: a city alone, a typo, a path, an offset. Refused at start, naming the value."""
    with pytest.raises(ConfigError, match=r"Fuseau horaire .* inconnu"):
        load_config(tmp_path / "absent.toml", {"INS_TUI_TIMEZONE": zone})
