"""The per-installation secret that seals the journal and the patients' rows (HMAC-SHA256).

Why a key outside the database: an unkeyed hash chain only proves that rows fit each
other; whoever can write the file can recompute every hash and `db check` would call the
file valid. A keyed seal cannot be recomputed without this file, which lives in the
user's configuration directory (mode 0600, directory 0700), never beside the database
and never inside a backup of it. Losing it does not lose data: `db check` then says the
seals cannot be verified, and `ins-tui db rekey` starts a new key, journaled.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "INS_TUI_JOURNAL_KEY"
KEY_BYTES = 32
_KEY_ID_LABEL = b"ins-tui journal key id"


class JournalKeyError(Exception):
    """The key file cannot be used; the message is French and names the file, not the key."""


def default_key_path() -> Path:
    """`INS_TUI_JOURNAL_KEY`, else `journal.key` in the user's ins-tui configuration folder."""
    override = os.environ.get(KEY_ENV)
    if override:
        return Path(os.path.expanduser(override))
    from platformdirs import user_config_path

    return user_config_path("ins-tui", appauthor=False) / "journal.key"


def _parse(text: str, path: Path) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise JournalKeyError(
            f"Clé du journal illisible ({path}) : {KEY_BYTES * 2} chiffres hexadécimaux "
            "attendus. Restaurez la clé sauvegardée, ou voir « ins-tui db rekey »."
        )
    return key


def read_key(path: Path) -> bytes | None:
    """The key in `path`, or None when the file does not exist (never creates it)."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalKeyError(f"Clé du journal illisible ({path}) : {exc}.") from exc
    return _parse(text, path)


def load_or_create_key(path: Path) -> bytes:
    """Read the key, creating it (0600, in a 0700 folder) on first use.

    Created by writing a private temporary file and hard-linking it into place, so two
    desks starting together on a new machine end up with one key, never a half-written one.
    """
    key = read_key(path)
    if key is not None:
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
                os.chmod(path, 0o600)
        return key
    from ins_tui.paths import ensure_private_dir

    # Missing folders are created 0700; an existing one is not chmodded here (the key may
    # live in a folder an administrator named; ins-tui's own are tightened at start).
    ensure_private_dir(path.parent, tighten=False)
    fresh = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, (fresh.hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another desk won the race: use its key
    finally:
        tmp.unlink(missing_ok=True)
    key = read_key(path)
    assert key is not None
    return key


def key_id(key: bytes) -> str:
    """A public fingerprint of the key, stored in the database to notice a wrong key."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def seal(key: bytes, label: str, text: str) -> str:
    """HMAC-SHA256 of `text` in the domain `label` (a journal row, the head, a patient)."""
    return hmac.new(key, f"{label}\n{text}".encode(), hashlib.sha256).hexdigest()


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)
