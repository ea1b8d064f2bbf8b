"""Configuration: one TOML file under the user's config directory, then environment overrides.

Precedence (last wins): built-in defaults < TOML file < `INS_TUI_*` variables.
`INS_TUI_CONFIG` names another file (tests use it so a developer's own file can
never leak in). The certificate password is never read from the file: only from
`INS_TUI_P12_PASSWORD` or a prompt, so it is never stored in clear.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import tzinfo
from pathlib import Path

APP_NAME = "ins-tui"

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 15.0
# Bounds on every INSi answer (issue 9, docs/decisions.md): real answers are a few KB.
DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_DEADLINE = 20.0  # one request, connect to last byte
DEFAULT_SEARCH_DEADLINE = 45.0  # the whole first-name strategy (several requests)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    override = os.environ.get("INS_TUI_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


@dataclass(frozen=True)
class Config:
    """Settings a practice may change; every field has a safe default."""

    db_path: Path = field(default_factory=lambda: data_home() / "ins-tui.sqlite")
    training_db_path: Path = field(default_factory=lambda: data_home() / "formation.sqlite")
    training_dir: Path = field(default_factory=lambda: data_home() / "formation")
    # INSi (production): endpoint, client PKCS#12, server CA bundle, LPS identity.
    insi_endpoint: str = ""
    insi_p12: str = ""
    insi_ca_bundle: str = ""
    insi_idam: str = ""
    insi_software_name: str = "ins-tui"
    insi_connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    insi_read_timeout: float = DEFAULT_READ_TIMEOUT
    insi_max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    insi_deadline: float = DEFAULT_DEADLINE
    insi_search_deadline: float = DEFAULT_SEARCH_DEADLINE
    # Front desk.
    practitioners: tuple[str, ...] = ("Dr Martin", "Dr Bernard")
    operators: tuple[str, ...] = ()
    documents: tuple[str, ...] = ("CN", "PA", "CS", "eCN", "IN", "AN", "LE", "LEP", "CC")
    theme: str = "auto"  # auto | ins-tui-dark | ins-tui-16 | ins-tui-light
    # Console look (issue 12, F16): ASCII / VGA-safe glyphs and borders on any terminal;
    # automatic on the Linux console (TERM=linux). Env INS_TUI_PLAIN, `ins-tui run --plain`.
    plain: bool = False
    # Binding id -> key(s), e.g. {"qualify" = "f9"}; env: INS_TUI_KEYMAP="qualify=f9,help=f2".
    keymap: dict[str, str] = field(default_factory=dict)
    # Seconds between two looks at the store's change counter (live list across desks).
    refresh_interval: float = 0.5
    # A card inserted at the desk means the patient is here: put them on the waiting list
    # as part of the card flow (issue 12, F2; practitioner asked when several). False: no.
    arrival_on_card: bool = True
    # Compare: whether a trait missing on one side blocks the perfect match.
    missing_birthplace_blocks_match: bool = False
    # INSi authentication: "mtls" (structure certificate) or "cpx" (CPS card signs an
    # assertion PS per call; server-auth TLS only). The PIN / signing-file password is never
    # stored: env INS_TUI_CPS_PIN or a prompt. TOML: [insi] mode, cpx_pkcs11_module, ...
    insi_mode: str = "mtls"
    insi_cpx_pkcs11_module: str = ""  # CPS middleware, e.g. /usr/lib/libcps3_pkcs11_lux.so
    insi_cpx_token_label: str = ""
    insi_cpx_key_label: str = ""  # empty: the card's non-repudiation key
    insi_cpx_p12: str = ""  # software signing certificate instead of a card (tests)
    insi_cpx_billing_id: str = ""  # identifiantFacturation (FINESS, SIRET or AM number)
    insi_cpx_activity_sector: str = ""  # secteurActivite, e.g. SA07
    insi_cpx_specialty_code: str = ""  # codeSpecialite (mandatory for physicians)
    # A CR 00 whose active INS key fails mod 97: "refuse" (default) or "warn" to keep it with a
    # warning (replaying CNDA TEST_2.08_cas2). TOML: [insi] bad_active_key.
    insi_bad_active_key: str = "refuse"
    # IANA zone of the practice (e.g. Europe/Paris, Indian/Reunion); empty: the machine's.
    timezone: str = ""
    # The installation key sealing the journal and patient rows (HMAC); None: the default
    # place, `journal.key` in the configuration folder (store/journal_key.py). Env:
    # INS_TUI_JOURNAL_KEY. Kept out of the database folder and out of its backups.
    journal_key: Path | None = None
    # HL7 v2 PAM France over MLLP (issue 10, ins_tui/hl7/): TOML [hl7] host, port, ...
    # Empty host: no HL7 output. The port stays text here and is checked by hl7/settings.py.
    hl7_host: str = ""
    hl7_port: str = "2575"
    hl7_sending_application: str = "INS-TUI"
    hl7_sending_facility: str = "CABINET"
    hl7_receiving_application: str = ""
    hl7_receiving_facility: str = ""
    hl7_timeout: float = 10.0  # seconds: connect, then the whole wait for the ACK
    hl7_max_ack_bytes: int = 65536  # an ACK longer than this is refused unread
    hl7_local_oid: str = ""  # OID of the practice's own patient ids (PID-3 PI), if it has one
    # FHIR FR Core Patient push (issue 10, ins_tui/fhir/): TOML [fhir] base_url, ca_bundle, ...
    # Empty base_url: nothing queued nor pushed. Training pushes only to training_base_url.
    fhir_base_url: str = ""
    fhir_training_base_url: str = ""
    fhir_ca_bundle: str = ""  # PEM of the server's CA; empty: the system store
    fhir_client_cert: str = ""  # PEM client certificate (optional), key inside or below
    fhir_client_key: str = ""  # PEM key of the client certificate, unencrypted, mode 0600
    fhir_timeout: float = 10.0  # seconds, one request from connect to last byte
    fhir_max_answer_bytes: int = 256 * 1024
    fhir_local_system: str = ""  # identifier.system of local ids; empty: urn:uuid of the file
    # Datamatrix scanner (issue 10, tui/scanner.py): TOML [scanner] enabled, gs_substitute, ...
    # A burst of keys starting with the INS header is read as a scan, never typed into a form.
    scanner_enabled: bool = True
    scanner_gs_substitute: str = ""  # what the scanner types for GS (e.g. "~"); "" = GS itself
    scanner_key_gap: float = 0.05  # seconds: longest gap between two keys of a scanner burst
    scanner_end_gap: float = 0.3  # seconds: a pause this long ends a code without Enter
    scanner_max_duration: float = 3.0  # seconds: a whole code, header to Enter
    # Patient label with the INS datamatrix (issue 10, ins_tui/label/): TOML [label] size,
    # printer, ... Empty printer: the PDF is saved in `folder` (default <data>/etiquettes).
    label_size: str = "dymo-89x36"  # a name of ins_tui/label/sizes.py (SIZES)
    label_printer: str = ""  # CUPS queue name (lp -d); "" = save the PDF, print nothing
    label_cups_server: str = ""  # lp -h: host[:port] or socket path; "" = CUPS default
    label_media: str = ""  # lp -o media=…; "" = the queue's own, "auto" = the size's
    label_folder: Path | None = None  # where PDFs are saved; None = <data home>/etiquettes
    label_timeout: float = 15.0  # seconds: the whole lp run

    def zone(self) -> tzinfo | None:
        """The practice's time zone, or None for the machine's own (checked at load)."""
        return _zone(self.timezone) if self.timezone else None

    @property
    def production(self) -> bool:
        """Production only when an INSi endpoint and a way to authenticate are configured:
        a structure certificate (mTLS) or CPx mode (the card signs each request)."""
        return bool(self.insi_endpoint and (self.insi_p12 or self.insi_mode == "cpx"))


_ENV_PREFIX = "INS_TUI_"
_TUPLE_FIELDS = {"practitioners", "operators", "documents"}
_PATH_FIELDS = {"db_path", "training_db_path", "training_dir", "journal_key"}
_FLOAT_FIELDS = {"insi_connect_timeout", "insi_read_timeout", "refresh_interval",
                 "insi_deadline", "insi_search_deadline",
                 "hl7_timeout",  # hl7
                 "fhir_timeout"}  # fhir
_INT_FIELDS = {"insi_max_answer_bytes",
               "hl7_max_ack_bytes",  # hl7
               "fhir_max_answer_bytes"}  # fhir
_BOOL_FIELDS = {"missing_birthplace_blocks_match", "arrival_on_card",
                "scanner_enabled"}  # scanner
_BOOL_FIELDS |= {"plain"}  # console look (issue 12, F16)
_SCANNER_FLOAT_FIELDS = {"scanner_key_gap", "scanner_end_gap", "scanner_max_duration"}
_FLOAT_FIELDS |= _SCANNER_FLOAT_FIELDS  # scanner
_PATH_FIELDS |= {"label_folder"}  # label
_FLOAT_FIELDS |= {"label_timeout"}  # label
_INSI_MODES = ("mtls", "cpx")
_BAD_KEY_POLICIES = ("refuse", "warn")


def _coerce(name: str, value: object) -> object:
    if name in _PATH_FIELDS:
        return Path(os.path.expanduser(str(value)))
    if name in _TUPLE_FIELDS:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return tuple(str(v) for v in value)  # type: ignore[union-attr]
    if name in _FLOAT_FIELDS:
        number = float(value)  # type: ignore[arg-type]
        if not number > 0:
            raise ConfigError(f"« {name} » doit être un nombre de secondes positif.")
        return number
    if name in _INT_FIELDS:
        count = int(value)  # type: ignore[call-overload]
        if count < 4096:
            raise ConfigError(f"« {name} » doit valoir au moins 4096 octets.")
        return count
    if name in _BOOL_FIELDS:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "oui", "yes"}
        return bool(value)
    if name == "insi_bad_active_key":
        policy = str(value).strip().lower()
        if policy not in _BAD_KEY_POLICIES:
            raise ConfigError(f"« bad_active_key » : « {value} » inconnu, « refuse » ou « warn » "
                              "attendu.")
        return policy
    if name == "insi_mode":
        mode = str(value).strip().lower()
        if mode not in _INSI_MODES:
            raise ConfigError(f"Mode INSi « {value} » inconnu : « mtls » ou « cpx » attendu.")
        return mode
    if name == "scanner_gs_substitute":  # scanner
        return _gs_substitute(str(value))
    if name == "timezone":
        text = str(value).strip()
        if text:
            _zone(text)
        return text
    if name == "keymap":
        if isinstance(value, str):
            return _parse_keymap(value)
        return {str(k): str(v) for k, v in dict(value).items()}  # type: ignore[call-overload]
    return str(value)


def _parse_keymap(text: str) -> dict[str, str]:
    """`id=key,id=key` — the env form of the keymap; `+`-joined keys stay one key."""
    keymap: dict[str, str] = {}
    for item in text.split(","):
        if "=" not in item:
            if item.strip():
                raise ConfigError(f"Raccourci mal formé dans INS_TUI_KEYMAP : « {item.strip()} »")
            continue
        binding_id, key = (part.strip() for part in item.split("=", 1))
        if binding_id and key:
            keymap[binding_id] = key
    return keymap


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"Fuseau horaire « {name} » inconnu : un nom IANA est attendu (Europe/Paris, "
            "Indian/Reunion, America/Cayenne…), ou rien pour celui de la machine."
        ) from exc


def _gs_substitute(text: str) -> str:
    """The scanner's stand-in for GS (datamatrix): 1 to 4 characters no INS field can hold,
    else a name or an OID would be cut in two (scanner, docs/interfaces.md)."""
    if text in ("", "\x1d"):
        return ""
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '-.")
    if len(text) > 4 or any(c in allowed or not c.isprintable() for c in text):
        raise ConfigError(
            f"« [scanner] gs_substitute » : « {text} » refusé ; 1 à 4 caractères qui ne "
            "peuvent pas figurer dans un datamatrix INS (ni lettre, chiffre, espace, "
            "apostrophe, tiret ou point), par exemple « ~ » ou « | »."
        )
    return text


class ConfigError(ValueError):
    """The configuration file cannot be used; the message is in French for the user."""


def _coerce_checked(name: str, value: object, origin: str) -> object:
    try:
        return _coerce(name, value)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"Valeur invalide pour « {name} » ({origin}) : {value!r}") from exc


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    path = path or config_path()
    values: dict[str, object] = {}
    known = {f.name for f in fields(Config)}
    if path.is_file():
        import tomllib  # imported only when there is a file to read

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Fichier de configuration illisible ({path}) : {exc}") from exc
        flat: dict[str, object] = {}
        for key, value in raw.items():
            if isinstance(value, dict) and key != "keymap":
                for sub, subvalue in value.items():
                    flat[f"{key}_{sub}"] = subvalue
            else:
                flat[key] = value
        for key, value in flat.items():
            if key in known:
                values[key] = _coerce_checked(key, value, str(path))
    for name in known:
        env_value = env.get(_ENV_PREFIX + name.upper())
        if env_value is None:
            continue
        if name == "keymap":
            # The env keymap refines the file's keymap rather than replacing it.
            merged = dict(values.get("keymap", {}))  # type: ignore[call-overload]
            merged.update(_parse_keymap(env_value))
            values[name] = merged
        else:
            values[name] = _coerce_checked(name, env_value, _ENV_PREFIX + name.upper())
    return replace(Config(), **values)  # type: ignore[arg-type]
