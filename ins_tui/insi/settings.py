"""Everything an `InsiClient` needs, gathered once from the configuration.

The certificate password lives only in this object's memory: it comes from
`INS_TUI_P12_PASSWORD` or a prompt (config.py never reads it from a file).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ins_tui import __version__
from ins_tui.domain.ins_answer import PRODUCTION_OIDS

if TYPE_CHECKING:
    from ins_tui.config import Config
    from ins_tui.insi.signer import Signer

PASSWORD_ENV = "INS_TUI_P12_PASSWORD"
PIN_ENV = "INS_TUI_CPS_PIN"  # CPx: the card PIN, or the password of a signing PKCS#12
SOFTWARE_VERSION = __version__


@dataclass(frozen=True)
class CpxSettings:
    """CPx mode: the card signs an assertion PS per call; no client certificate."""

    signer: Signer
    billing_id: str
    activity_sector: str
    specialty_code: str | None = None


@dataclass(frozen=True)
class InsiSettings:
    endpoint: str
    ca_bundle: Path | None
    idam: str
    instance_id: str
    p12: Path | None = None
    p12_password: bytes | None = field(default=None, repr=False)
    software_name: str = "ins-tui"
    software_version: str = SOFTWARE_VERSION
    emitter: str | None = None  # structure id (certificate OU); filled from the p12 if None
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_answer_bytes: int = 1024 * 1024  # config.DEFAULT_MAX_ANSWER_BYTES
    deadline: float = 20.0  # one request, connect to last byte
    search_deadline: float = 45.0  # the whole first-name strategy
    cpx: CpxSettings | None = None
    # What a CR 00 may carry to be kept (domain/ins_answer.py): a real endpoint only the NIR
    # and NIA OIDs; the training simulator also the test (.10) and demo (.11) ones.
    accepted_oids: frozenset[str] = PRODUCTION_OIDS
    bad_active_key: str = "refuse"  # active key failing mod 97: "refuse" | "warn" (CNDA 2.08)

    @property
    def mode(self) -> str:
        return "cpx" if self.cpx else "mtls"


def password_from_env_or_prompt(
    prompt: Callable[[str], str] | None = None,
) -> bytes | None:
    """The p12 password: environment first, then an interactive prompt if one is possible."""
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value.encode("utf-8")
    if prompt is None:
        import getpass
        import sys

        if not sys.stdin or not sys.stdin.isatty():
            return None
        prompt = getpass.getpass
    return prompt("Mot de passe du certificat INSi : ").encode("utf-8")


def pin_from_env_or_prompt(
    prompt: Callable[[str], str] | None = None, *, card: bool = True
) -> str | None:
    """The CPx secret: `INS_TUI_CPS_PIN` first, then a prompt when a terminal is there.

    Returned as `str` because PKCS#11 wants text; the caller drops it once the card
    (or signing file) is open, and it is never written to the configuration.
    """
    value = os.environ.get(PIN_ENV)
    if value is not None:
        return value
    if prompt is None:
        import getpass
        import sys

        if not sys.stdin or not sys.stdin.isatty():
            return None
        prompt = getpass.getpass
    label = "Code PIN de la carte CPS : " if card else "Mot de passe du certificat de signature : "
    return prompt(label)


def cpx_settings_from_config(
    config: Config,
    *,
    pin: str | None = None,
    prompt: Callable[[str], str] | None = None,
    pkcs11_module: str | None = None,
    token_label: str | None = None,
    key_label: str | None = None,
    signing_p12: str | Path | None = None,
    billing_id: str | None = None,
    activity_sector: str | None = None,
    specialty_code: str | None = None,
) -> CpxSettings:
    """Open the CPx signer (card through PKCS#11, or a signing PKCS#12) and gather its settings.

    Every argument overrides the configuration. Raises `SignerError` (French `message_fr`)
    when the setup is incomplete, the PIN is missing or wrong, or the key cannot be used:
    all of it happens before any request is built, so nothing is sent.
    """
    from ins_tui.insi.signer import Pkcs11Signer, Pkcs12Signer, SignerError

    module = pkcs11_module or config.insi_cpx_pkcs11_module
    token = token_label or config.insi_cpx_token_label
    key = key_label or config.insi_cpx_key_label or None
    p12 = signing_p12 or config.insi_cpx_p12
    billing = billing_id or config.insi_cpx_billing_id
    sector = activity_sector or config.insi_cpx_activity_sector
    specialty = specialty_code or config.insi_cpx_specialty_code or None
    if not module and not p12:
        raise SignerError(
            "Mode CPx : indiquer le module PKCS#11 de la carte CPS (insi_cpx_pkcs11_module) "
            "ou un certificat de signature PKCS#12 (insi_cpx_p12)."
        )
    if module and not token:
        raise SignerError(
            "Mode CPx : indiquer le libellé de la carte CPS (insi_cpx_token_label)."
        )
    missing = [label for label, value in (
        ("l'identifiant de facturation (insi_cpx_billing_id)", billing),
        ("le secteur d'activité (insi_cpx_activity_sector)", sector),
    ) if not value]
    if missing:
        raise SignerError("Mode CPx : indiquer " + " et ".join(missing) + ".")
    if pin is None:
        pin = pin_from_env_or_prompt(prompt, card=bool(module))
    if pin is None:
        raise SignerError(
            f"Code PIN de la carte CPS absent : définir {PIN_ENV} ou lancer la commande "
            "dans un terminal pour le saisir."
        )
    try:
        if module:
            signer: Signer = Pkcs11Signer(module, token, pin, key_label=key)
        else:
            signer = Pkcs12Signer(p12, pin)
    finally:
        del pin
    return CpxSettings(
        signer=signer, billing_id=billing, activity_sector=sector, specialty_code=specialty
    )


def settings_from_config(
    config: Config,
    *,
    endpoint: str | None = None,
    ca_bundle: str | Path | None = None,
    p12: str | Path | None = None,
    password: bytes | None = None,
    idam: str | None = None,
    cpx: CpxSettings | None = None,
) -> InsiSettings:
    """Settings for the configured mode.

    In CPx mode (`config.insi_mode == "cpx"`, or `cpx` given) no client certificate is
    used; when `cpx` is not given the signer is opened here (PIN from the environment or
    a prompt), so this may raise `SignerError`.
    """
    from ins_tui.insi.instance import instance_id

    if cpx is None and config.insi_mode == "cpx":
        cpx = cpx_settings_from_config(config)
    return InsiSettings(
        endpoint=endpoint or config.insi_endpoint,
        ca_bundle=_path(ca_bundle or config.insi_ca_bundle),
        p12=None if cpx else _path(p12 or config.insi_p12),
        p12_password=None if cpx else password,
        idam=idam if idam is not None else config.insi_idam,
        instance_id=instance_id(),
        software_name=config.insi_software_name,
        connect_timeout=config.insi_connect_timeout,
        read_timeout=config.insi_read_timeout,
        max_answer_bytes=config.insi_max_answer_bytes,
        deadline=config.insi_deadline,
        search_deadline=config.insi_search_deadline,
        cpx=cpx,
        accepted_oids=PRODUCTION_OIDS,  # a configured endpoint is a real one
        bad_active_key=config.insi_bad_active_key,
    )


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value else None
