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
    # Binding id -> key(s), e.g. {"qualify" = "f9"}; env: INS_TUI_KEYMAP="qualify=f9,help=f2".
    keymap: dict[str, str] = field(default_factory=dict)
    # Seconds between two looks at the store's change counter (live list across desks).
    refresh_interval: float = 0.5
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
                 "insi_deadline", "insi_search_deadline"}
_INT_FIELDS = {"insi_max_answer_bytes"}
_BOOL_FIELDS = {"missing_birthplace_blocks_match"}
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
