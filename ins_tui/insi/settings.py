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

if TYPE_CHECKING:
    from ins_tui.config import Config
    from ins_tui.insi.signer import Signer

PASSWORD_ENV = "INS_TUI_P12_PASSWORD"
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
    cpx: CpxSettings | None = None

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


def settings_from_config(
    config: Config,
    *,
    endpoint: str | None = None,
    ca_bundle: str | Path | None = None,
    p12: str | Path | None = None,
    password: bytes | None = None,
    idam: str | None = None,
) -> InsiSettings:
    from ins_tui.insi.instance import instance_id

    return InsiSettings(
        endpoint=endpoint or config.insi_endpoint,
        ca_bundle=_path(ca_bundle or config.insi_ca_bundle),
        p12=_path(p12 or config.insi_p12),
        p12_password=password,
        idam=idam if idam is not None else config.insi_idam,
        instance_id=instance_id(),
        software_name=config.insi_software_name,
        connect_timeout=config.insi_connect_timeout,
        read_timeout=config.insi_read_timeout,
    )


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value else None
