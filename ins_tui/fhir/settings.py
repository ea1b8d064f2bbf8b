"""Where identities are pushed and how the connection is trusted, gathered from the config.

Kept simple on purpose (issue 10): the server is checked against a CA bundle (or the
system store when none is given: a receiver with a public certificate), and a client
certificate may be presented as PEM files. No PKCS#12 here: a practice software or an
identity server on the practice's network is set up by its integrator, who hands PEM files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ins_tui.config import Config

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ANSWER_BYTES = 256 * 1024  # an OperationOutcome or the Patient back: a few KB


@dataclass(frozen=True)
class FhirSettings:
    base_url: str
    ca_bundle: Path | None = None
    client_cert: Path | None = None  # PEM certificate (its key may be in the same file)
    client_key: Path | None = None  # PEM key, unencrypted, readable by this account only
    timeout: float = DEFAULT_TIMEOUT  # one request, connect to last byte
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    local_system: str = ""  # empty: `urn:uuid:` + the database's installation id


def settings_from_config(config: Config, *, training: bool = False) -> FhirSettings | None:
    """The push settings, or None when no server is configured (nothing is queued then).

    Training mode pushes only to `[fhir] training_base_url`: its fictive identities must
    never reach the server that holds the practice's real ones.
    """
    url = config.fhir_training_base_url if training else config.fhir_base_url
    if not url:
        return None
    return FhirSettings(
        base_url=url,
        ca_bundle=_path(config.fhir_ca_bundle),
        client_cert=_path(config.fhir_client_cert),
        client_key=_path(config.fhir_client_key),
        timeout=config.fhir_timeout,
        max_answer_bytes=config.fhir_max_answer_bytes,
        local_system=config.fhir_local_system,
    )


def _path(value: str) -> Path | None:
    return Path(value).expanduser() if value else None
