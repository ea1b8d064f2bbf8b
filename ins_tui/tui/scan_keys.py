"""The app's key filter for a datamatrix scanner: every key passes here before any widget.

`InsTuiApp.on_event` hands each terminal key (and paste) to `ScanKeys.filter`, which
returns the events to process normally, in order. Keys the detector (tui/scanner.py)
holds come back later, from the detector's timer; keys that belong to a scan never come
back: a form with focus does not receive them, whatever screen is in front. A finished
scan is judged by the domain (`parse_payload`), then the desk finds the patient and the
card flow's own screen takes over on channel CB (desk/scan_flow.py).

Timing: each key carries the time the terminal driver made it (`Message.time`, monotonic),
so a busy UI thread does not turn a burst into slow typing. The timer posts a `ScanTick`
into the app's queue rather than deciding on its own: keys already queued are handled
before it, in the order they came.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import events

from ins_tui.tui.scanner import (
    ENTER,
    GS,
    TAB,
    EndedBy,
    Release,
    Scan,
    ScanDetector,
    ScanKind,
    ScannerSettings,
    payload_in_paste,
)

if TYPE_CHECKING:
    from ins_tui.config import Config

WRONG_LAYOUT_FR = ("Le lecteur de datamatrix est réglé en clavier américain (QWERTY) : les "
                   "chiffres arrivent en « à & é ». Le régler en clavier français (AZERTY), "
                   "voir le README, « Lecteur de datamatrix (douchette) ».")
TAIL_FR = ("Fin d'un code datamatrix ignorée (lecture coupée par une pause) : rescanner "
           "l'étiquette.")
TOO_LONG_FR = ("Code trop long pour un datamatrix INS : ignoré. Rescanner l'étiquette (un "
               "seul code à la fois).")
TOO_SLOW_FR = "Lecture du datamatrix trop lente : ignorée, rescanner l'étiquette."
NOT_READY_FR = "Datamatrix lu, mais la base est encore en cours d'ouverture : rescanner."
READING_FR = "Datamatrix INS lu : recherche du patient…"
CUT_FR = " (lecture interrompue avant sa fin : rescanner)"
# Characters scanners are often set to type for GS; seen in a refused code, they are named.
_LIKELY_SUBSTITUTES = ("~", "|", "^]", "^", "#", "@", "$")


class ScanTick(events.Event):
    """The detector's deadline passed (posted by its timer, handled in order with keys)."""


def settings_from_config(config: Config) -> ScannerSettings:
    return ScannerSettings(
        key_gap=config.scanner_key_gap,
        end_gap=config.scanner_end_gap,
        max_duration=config.scanner_max_duration,
        gs_substitute=config.scanner_gs_substitute,
    )


def char_of(event: events.Key) -> str | None:
    """What the key types, as the scanner meant it: Enter "\\r", Tab "\\t", GS, a printable
    character; None for keys no scanner sends (arrows, function keys, Escape)."""
    if event.key in ("enter", "ctrl+m"):
        return ENTER
    if event.key == "tab":
        return TAB
    char = event.character
    if char == GS:
        return GS
    if not char or not char.isprintable():
        return None
    return char


class ScanKeys:
    """One per app; `filter` runs on the UI thread only."""

    def __init__(self, app: Any, config: Config) -> None:
        self.app = app
        self.enabled = config.scanner_enabled
        self.settings = settings_from_config(config)
        self.detector = ScanDetector(self.settings)
        self._timer: Any = None
        self._timer_due: float | None = None
        # Where each key was typed: a held key goes to the widget focused when it was
        # typed, even if the app moved the focus during the hold.
        self._typed_into: dict[Any, Any] = {}  # only keys being held (bounded by the header)

    def filter(self, event: events.Event) -> list[events.Event]:
        """The events to process normally now, in order (usually `[event]`)."""
        if isinstance(event, ScanTick):
            self._timer, self._timer_due = None, None
            return self._apply(self.detector.expire(event.time))
        if not self.enabled or getattr(event, "is_forwarded", False):
            return [event]
        if isinstance(event, events.Key):
            self._typed_into[event] = self._target()
            return self._apply(self.detector.feed(event, char_of(event), event.time))
        if isinstance(event, events.MouseDown):
            return [*self._apply(self.detector.flush_held()), event]
        if isinstance(event, events.Paste):
            text = payload_in_paste(event.text, self.settings.max_chars)
            if text is not None:
                self._scanned(Scan(ScanKind.PAYLOAD, text, EndedBy.ENTER))
                return []
        return [event]

    # -- internals -----------------------------------------------------------------------
    def _target(self) -> Any:
        try:
            return self.app.focused or self.app.screen
        except Exception:  # no screen yet (start-up): the app's own path decides
            return None

    def _apply(self, outcomes: list[Release | Scan]) -> list[events.Event]:
        passed: list[events.Event] = []
        for outcome in outcomes:
            if isinstance(outcome, Release):
                for event in outcome.tokens:
                    typed_into = self._typed_into.pop(event, None)
                    if (typed_into is not None and typed_into is not self._target()
                            and typed_into.is_attached):
                        typed_into._forward_event(event)
                    else:
                        passed.append(event)
            else:
                self._scanned(outcome)
        if not self.detector.holding:
            self._typed_into.clear()  # the rest were taken by a scan
        self._schedule()
        return passed

    def _schedule(self) -> None:
        """One timer at a time, due at the detector's deadline (moved earlier if needed)."""
        due = self.detector.deadline
        if due is None:
            return
        if self._timer is not None and self._timer_due is not None and (
                self._timer_due <= due + 0.001):
            return  # the pending tick comes first; it reschedules for the later deadline
        if self._timer is not None:
            self._timer.stop()
        delay = max(0.0, due - time.monotonic()) + 0.002
        self._timer_due = due
        self._timer = self.app.set_timer(delay, self._tick, name="scanner")

    def _tick(self) -> None:
        self.app.post_message(ScanTick())

    def _scanned(self, scan: Scan) -> None:
        if scan.kind is ScanKind.TAIL:
            self._refused(TAIL_FR)
        elif scan.kind is ScanKind.WRONG_LAYOUT:
            self._refused(WRONG_LAYOUT_FR)
        elif scan.ended_by is EndedBy.TOO_LONG:
            self._refused(TOO_LONG_FR)
        elif scan.ended_by is EndedBy.TOO_SLOW:
            self._refused(TOO_SLOW_FR)
        else:
            self._judge(scan)

    def _judge(self, scan: Scan) -> None:
        from ins_tui.domain.datamatrix import parse_payload

        text = scan.payload_text(self.settings.gs_substitute)
        scanned, problems = parse_payload(text)
        if scanned is None:
            said = "Datamatrix INS refusé : " + " ".join(p.message for p in problems)
            if scan.ended_by in (EndedBy.PAUSE, EndedBy.INTERRUPTED):
                said += CUT_FR
            hint = self._substitute_hint(text)
            self._refused(said + hint)
            return
        if scan.kind is ScanKind.CAPS_LOCK:
            self.app.notify("Verrouillage majuscules activé pendant la lecture : le code a "
                            "été lu quand même.", title="Datamatrix INS", timeout=6)
        if self.app.desk is None:
            self._refused(NOT_READY_FR)
            return
        self.app.say(READING_FR)
        self.app.run_worker(lambda: self._match(scanned), thread=True, group="scan",
                            exclusive=True, exit_on_error=False, name="scan")

    def _match(self, scanned: Any) -> None:
        """Worker thread: the desk finds the patient; the card flow's screen shows it."""
        from ins_tui.domain.model import Channel

        match = self.app.desk.match_scanned(scanned)
        self.app.call_from_thread(self._show, match, Channel.DATAMATRIX)

    def _show(self, match: Any, channel: Any) -> None:
        if not self.app.is_running:
            return
        if match.patient is None and match.prepared is None:
            self._refused(match.message_fr)
            return
        # Nothing in progress is closed: a form being typed stays under the identity screen.
        self.app.show_match(match, channel=channel, keep_screens=True)

    def _substitute_hint(self, text: str) -> str:
        if self.settings.gs_substitute or GS in text:
            return ""
        for candidate in _LIKELY_SUBSTITUTES:
            if candidate in text:
                return (f" Le lecteur semble taper « {candidate} » à la place du séparateur "
                        f"GS : régler « [scanner] gs_substitute = \"{candidate}\" ».")
        return ""

    def _refused(self, text: str) -> None:
        self.app.say(text)
        self.app.notify(text, title="Datamatrix INS", severity="warning", timeout=10)
