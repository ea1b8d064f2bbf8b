"""The `[hl7]` keys, checked once, with French messages; and the `--to HOST:PORT` form.

Why checked here and not in config.py: the port and the names end up inside MSH, where a
delimiter (`|^~\\&`) would shift every field after it; that is an HL7 rule, so it lives
beside the builders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ins_tui.hl7.fields import Authority
from ins_tui.hl7.messages import Header

_DELIMITERS = set("|^~\\&\r\n")
DEFAULT_PORT = 2575


class Hl7SettingsError(ValueError):
    """The `[hl7]` configuration cannot be used (French message)."""


@dataclass(frozen=True, slots=True)
class Hl7Settings:
    host: str
    port: int
    header: Header
    authority: Authority
    timeout: float = 10.0
    max_ack_bytes: int = 65536

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def to(self, host: str, port: int) -> Hl7Settings:
        return replace(self, host=host, port=port)


def parse_port(text: str | int) -> int:
    try:
        port = int(str(text).strip())
    except ValueError:
        raise Hl7SettingsError(f"Port HL7 « {text} » : un nombre entre 1 et 65535 est "
                               "attendu.") from None
    if not 1 <= port <= 65535:
        raise Hl7SettingsError(f"Port HL7 « {text} » : un nombre entre 1 et 65535 est attendu.")
    return port


def parse_target(text: str) -> tuple[str, int]:
    """`HOST:PORT` (an IPv6 address in brackets: `[::1]:2575`)."""
    text = text.strip()
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise Hl7SettingsError(f"Destination « {text} » : la forme HÔTE:PORT est attendue "
                               "(ex. 192.0.2.10:2575).")
    host = host.removeprefix("[").removesuffix("]")
    return host, parse_port(port)


def _name(label: str, value: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise Hl7SettingsError(f"« {label} » ne peut pas être vide.")
    bad = sorted(set(value) & _DELIMITERS)
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise Hl7SettingsError(f"« {label} » contient un séparateur HL7 interdit : {shown}.")
    if len(value) > 180:
        raise Hl7SettingsError(f"« {label} » est trop long (180 caractères au plus).")
    return value


def from_config(config: Any, *, training: bool = False) -> Hl7Settings:
    """From `ins_tui.config.Config` (fields `hl7_*`)."""
    header = Header(
        sending_application=_name("[hl7] sending_application",
                                  config.hl7_sending_application, required=True),
        sending_facility=_name("[hl7] sending_facility", config.hl7_sending_facility,
                               required=True),
        receiving_application=_name("[hl7] receiving_application",
                                    config.hl7_receiving_application, required=False),
        receiving_facility=_name("[hl7] receiving_facility", config.hl7_receiving_facility,
                                 required=False),
        processing_id="T" if training else "P",
    )
    oid = _name("[hl7] local_oid", config.hl7_local_oid, required=False)
    if oid and not all(part.isdigit() for part in oid.split(".")):
        raise Hl7SettingsError(f"« [hl7] local_oid » : « {oid} » n'est pas un OID "
                               "(chiffres séparés par des points).")
    host = config.hl7_host.strip()
    return Hl7Settings(
        host=host,
        port=parse_port(config.hl7_port or DEFAULT_PORT),
        header=header,
        authority=Authority(namespace=header.sending_facility, oid=oid),
        timeout=float(config.hl7_timeout),
        max_ack_bytes=int(config.hl7_max_ack_bytes),
    )
