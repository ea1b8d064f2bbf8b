"""Virtual test cards described in `data/cards/profiles.json`.

A profile is data only (who is on the card, which ATR, which misbehaviour);
`chip.py` turns it into a card that answers APDUs. Keeping the people in a data
file lets the trainer add a card without touching code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ins_tui.paths import data_file

KINDS = ("vitale2", "vitale1", "other")


class ProfileError(ValueError):
    """Unknown or malformed profile; the message is French, for the command line."""


@dataclass(frozen=True, slots=True)
class ProfileBeneficiary:
    birth_name: str
    first_name: str
    birth_date: str  # raw AAAAMMJJ as written on the chip, possibly lunar
    nir: str | None


@dataclass(frozen=True, slots=True)
class CardProfile:
    name: str
    label: str
    atr: bytes
    kind: str = "vitale2"
    beneficiaries: tuple[ProfileBeneficiary, ...] = ()
    t0_strict: bool = False  # 6Cxx on a wrong Le, 61xx after SELECT
    vanish_after: int | None = None  # card leaves after this many APDUs
    file_size: int | None = None  # pad the identity file (forces several READ BINARY)


def _profile(raw: dict) -> CardProfile:
    try:
        kind = raw.get("kind", "vitale2")
        if kind not in KINDS:
            raise ProfileError(f"Profil {raw.get('name')!r} : type de carte inconnu {kind!r}.")
        return CardProfile(
            name=str(raw["name"]),
            label=str(raw["label"]),
            atr=bytes.fromhex(raw["atr"]),
            kind=kind,
            beneficiaries=tuple(
                ProfileBeneficiary(
                    birth_name=b["birth_name"],
                    first_name=b["first_name"],
                    birth_date=b["birth_date"],
                    nir=b.get("nir"),
                )
                for b in raw.get("beneficiaries", [])
            ),
            t0_strict=bool(raw.get("t0_strict", False)),
            vanish_after=raw.get("vanish_after"),
            file_size=raw.get("file_size"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ProfileError):
            raise
        raise ProfileError(f"Profil de carte mal formé ({raw.get('name', '?')}) : {exc}") from exc


def load_profiles(path: Path | None = None) -> dict[str, CardProfile]:
    """Profiles by name, in file order (the order the training screen lists them)."""
    if path is None:
        return dict(_bundled())
    return _read(path)


@cache
def _bundled() -> tuple[tuple[str, CardProfile], ...]:
    return tuple(_read(data_file("cards", "profiles.json")).items())


def _read(path: Path) -> dict[str, CardProfile]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(f"Fichier des cartes de test illisible ({path}) : {exc}") from exc
    profiles = [_profile(raw) for raw in document.get("profiles", [])]
    return {p.name: p for p in profiles}


def get_profile(name: str, path: Path | None = None) -> CardProfile:
    profiles = load_profiles(path)
    try:
        return profiles[name]
    except KeyError:
        known = ", ".join(profiles)
        raise ProfileError(f"Carte de test inconnue : {name!r}. Cartes disponibles : {known}.") \
            from None
