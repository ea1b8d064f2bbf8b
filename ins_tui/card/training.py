"""Test cards for the app's training mode: through the real pcscd path when possible.

Inside the private namespaces with pcscd installed, cards are `VirtualCard`s
plugged into a private pcscd and read by the production `PcscCardSource`;
elsewhere they are chips in memory behind `InProcessCardSource`. Either way the
app sees the same events and the same reader code.
"""

from __future__ import annotations

from pathlib import Path

from ins_tui.card.pcscd import PcscdError, PrivatePcscd, unavailable_reason
from ins_tui.card.profiles import CardProfile, get_profile, load_profiles
from ins_tui.card.source import CardSource, InProcessCardSource, PcscCardSource
from ins_tui.card.virtual import VirtualCard

MODE_PCSCD = "pcscd"
MODE_IN_PROCESS = "in-process"
MODE_LABELS_FR = {
    MODE_PCSCD: "cartes virtuelles via pcscd (chemin réel PC/SC)",
    MODE_IN_PROCESS: "cartes virtuelles en mémoire (pcscd indisponible)",
}


class TrainingCards:
    def __init__(self, *, prefer_pcscd: bool = True, profiles_path: Path | None = None) -> None:
        self._profiles_path = profiles_path
        self._pcscd: PrivatePcscd | None = None
        self._cards: dict[int, VirtualCard] = {}
        self.fallback_reason: str | None = None if prefer_pcscd else "mémoire demandée"
        self.source: CardSource
        if prefer_pcscd:
            self.fallback_reason = unavailable_reason()
        if self.fallback_reason is None:
            pcscd = PrivatePcscd()
            try:
                pcscd.start()
            except PcscdError as exc:
                self.fallback_reason = str(exc)
            else:
                self._pcscd = pcscd
        if self._pcscd is not None:
            self.mode = MODE_PCSCD
            self.source = PcscCardSource()
        else:
            self.mode = MODE_IN_PROCESS
            self.source = InProcessCardSource()

    @property
    def mode_label_fr(self) -> str:
        return MODE_LABELS_FR[self.mode]

    @property
    def pcscd_pid(self) -> int | None:
        """The private pcscd's pid (pcscd mode), for diagnostics and tests."""
        return self._pcscd.pid if self._pcscd is not None else None

    @property
    def readers(self) -> tuple[str, ...]:
        if self._pcscd is not None:
            return self._pcscd.readers
        assert isinstance(self.source, InProcessCardSource)
        return self.source.readers

    def profiles(self) -> list[CardProfile]:
        return list(load_profiles(self._profiles_path).values())

    def insert(self, name: str, slot: int = 0) -> CardProfile:
        """Insert the named test card (replacing the one in that slot)."""
        profile = get_profile(name, self._profiles_path)
        self.remove(slot)
        if self._pcscd is not None:
            self._cards[slot] = VirtualCard(profile, port=self._pcscd.port + slot).start()
        else:
            assert isinstance(self.source, InProcessCardSource)
            self.source.insert(profile, slot)
        return profile

    def remove(self, slot: int = 0) -> bool:
        if self._pcscd is not None:
            card = self._cards.pop(slot, None)
            if card is None:
                return False
            was_in = card.inserted
            card.close()
            return was_in
        assert isinstance(self.source, InProcessCardSource)
        return self.source.remove(slot)

    def inserted(self, slot: int = 0) -> CardProfile | None:
        if self._pcscd is not None:
            card = self._cards.get(slot)
            return card.profile if card is not None and card.inserted else None
        assert isinstance(self.source, InProcessCardSource)
        return self.source.inserted(slot)

    def close(self) -> None:
        for slot in list(self._cards):
            self.remove(slot)
        self.source.stop()
        if self._pcscd is not None:
            self._pcscd.stop()
            self._pcscd = None

    def __enter__(self) -> TrainingCards:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
