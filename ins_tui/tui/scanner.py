"""Telling a 2D scanner from a person at the keyboard: a state machine fed (key, time).

A datamatrix scanner in keyboard emulation types the payload and Enter in a burst (a few
milliseconds per character); over SSH the terminal receives characters, not scancodes.
Nothing but the burst tells it from typing, so the detector watches the one thing a person
cannot do: type the 26-character header `IS01` + 22 zeros with less than `key_gap` between
every two keys.

Why it holds keys rather than taking them back: while the keys typed so far are a prefix
of a header (in practice `I`, then `IS`), they are *held*, not delivered; the first key
that breaks the prefix, or a pause longer than `key_gap`, releases them in order, so a
person typing « ISABELLE » loses nothing and waits at most `key_gap` for the `I`. Once a
whole header came as a burst, every key up to Enter (or Tab, or a pause of `end_gap`) is
the payload and reaches no widget. Bounds: `max_chars` (the format's fields add up to
well under 300), `max_duration` from the first key; past either, the rest of the burst is
swallowed until it stops, so a runaway device cannot type into a form either.

A payload cut by a pause is judged as it is (a scanner without an Enter suffix ends that
way); for `tail_window` after such a cut, a key that starts a new burst is held and, if the
burst goes on, swallowed as the lost end of the code instead of landing in a field.

Pure: no Textual, no clock of its own; the caller gives each key's time (the terminal
event's creation time) and calls `expire` when `deadline` passes.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The format's header and separator (domain/datamatrix.py has the same two constants, and
# a test checks they agree): repeated here so the app's start does not import the whole
# identity rules for a key filter (~20 ms on the first frame).
GS = "\x1d"
HEADER = "IS01" + "0" * 22

ENTER = "\r"
TAB = "\t"
# A scanner set for a US (QWERTY) layout on a French (AZERTY) desk: digits come out as the
# unshifted symbols of the AZERTY top row (0 → à, 1 → &); letters typed with Shift survive.
AZERTY_DIGITS = str.maketrans("&é\"'(-è_çà", "1234567890")
WRONG_LAYOUT_HEADER = "ISà&" + "à" * 22
CAPS_LOCK_HEADER = HEADER.lower()
_HEADERS = (HEADER, WRONG_LAYOUT_HEADER, CAPS_LOCK_HEADER)


class ScanKind(StrEnum):
    PAYLOAD = "payload"  # a header came as a burst: the text is a datamatrix to judge
    WRONG_LAYOUT = "wrong_layout"  # the scanner types QWERTY on an AZERTY desk
    CAPS_LOCK = "caps_lock"  # Caps Lock was on: the letters came in lower case
    TAIL = "tail"  # the end of a code cut by a pause, swallowed


class EndedBy(StrEnum):
    ENTER = "enter"
    PAUSE = "pause"
    TOO_LONG = "too_long"
    TOO_SLOW = "too_slow"
    INTERRUPTED = "interrupted"  # a key no scanner sends (arrow, function key) came in


@dataclass(frozen=True, slots=True)
class ScannerSettings:
    """The detector's bounds (config `[scanner]`, seconds and characters)."""

    key_gap: float = 0.05  # longest gap between two keys of a burst (header detection)
    end_gap: float = 0.3  # a pause this long inside a payload ends it
    max_chars: int = 300  # header + fields; the format's maxima add up to 282
    max_duration: float = 3.0  # from the first key of the header to the end
    tail_window: float = 1.0  # after a payload cut by a pause, a burst is its lost end
    gs_substitute: str = ""  # what the scanner types for GS; "" means GS itself (0x1D)


@dataclass(frozen=True, slots=True)
class Release:
    """Keys to deliver normally, in this order (held ones first)."""

    tokens: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Scan:
    """A burst recognised as scanner input; `text` excludes the final Enter/Tab."""

    kind: ScanKind
    text: str
    ended_by: EndedBy

    def payload_text(self, gs_substitute: str = "") -> str:
        """The text as the datamatrix reader expects it (GS restored, case/digits fixed)."""
        text = self.text
        if gs_substitute:
            text = text.replace(gs_substitute, GS)
        if self.kind is ScanKind.CAPS_LOCK:
            text = text.swapcase()
        return text


Outcome = Release | Scan


class _State(StrEnum):
    IDLE = "idle"
    PREFIX = "prefix"  # holding keys that may be the start of a header
    PAYLOAD = "payload"  # inside a recognised payload
    SWALLOW = "swallow"  # the rest of an over-long / over-slow burst
    TAIL_WATCH = "tail_watch"  # after a cut: a new burst may be the code's end
    TAIL = "tail"  # swallowing that end


class ScanDetector:
    """Feed every key (`feed`) and call `expire` at `deadline`; act on the outcomes."""

    def __init__(self, settings: ScannerSettings | None = None) -> None:
        self.settings = settings or ScannerSettings()
        self._reset(_State.IDLE)
        self._tail_until = 0.0

    # -- public ------------------------------------------------------------------------
    @property
    def deadline(self) -> float | None:
        """When `expire` must run next (None: nothing pending)."""
        s = self.settings
        if self._state is _State.PREFIX:
            return self._last + s.key_gap
        if self._state is _State.PAYLOAD:
            return min(self._last + s.end_gap, self._start + s.max_duration)
        if self._state in (_State.SWALLOW, _State.TAIL):
            return self._last + s.end_gap
        if self._state is _State.TAIL_WATCH:
            return self._last + s.key_gap if self._held else self._tail_until
        return None

    @property
    def busy(self) -> bool:
        """True while keys are held or a payload is being read."""
        return self._state is not _State.IDLE

    @property
    def holding(self) -> bool:
        """True while keys are held back (not yet given to the app nor taken by a scan)."""
        return bool(self._held)

    def feed(self, token: Hashable | object, char: str | None, now: float) -> list[Outcome]:
        """One key: `char` is what it types (None for arrows, function keys…), Enter "\\r".

        The key is delivered only if a `Release` holding it comes back (now or later).
        """
        out = self.expire(now)
        state = self._state
        if state is _State.PAYLOAD:
            out.extend(self._in_payload(token, char, now))
            return out
        if state in (_State.SWALLOW, _State.TAIL):
            self._last = now
            if char is None:  # no scanner sends this key: the burst is over, deliver it
                out.extend(self._end_swallow())
                out.append(Release((token,)))
                return out
            self._count += 1
            if char in (ENTER, TAB):
                out.extend(self._end_swallow())
            return out
        if state is _State.TAIL_WATCH:
            if self._held and char is not None:  # a second key within key_gap: the end
                self._state = _State.TAIL  # of the cut code, still coming
                self._count = len(self._held) + 1
                self._held = []
                self._last = now
                if char in (ENTER, TAB):
                    out.extend(self._end_swallow())
                return out
            if self._held:
                out.append(Release((*(t for t, _ in self._held), token)))
                self._held = []
                return out
            starts_header = bool(char) and any(h.startswith(char or "") for h in _HEADERS)
            if char is not None and char not in (ENTER, TAB) and not starts_header:
                self._held = [(token, char)]
                self._last = now
                return out
            if not starts_header:
                out.append(Release((token,)))
                return out
            self._reset(_State.IDLE)  # a new code right after the cut one: read it
            state = _State.IDLE
        if state is _State.PREFIX:
            candidate = "".join(c for _, c in self._held) + (char or "")
            if char and any(h.startswith(candidate) for h in _HEADERS):
                self._held.append((token, char))
                self._last = now
                if candidate in _HEADERS:
                    self._state = _State.PAYLOAD
                    self._kind = _kind_of(candidate)
                    self._buffer = [candidate]
                    self._length = len(candidate)
                    self._held = []
                return out
            out.append(Release(tuple(t for t, _ in self._held)))
            self._reset(_State.IDLE)
        # IDLE
        if char and any(h.startswith(char) for h in _HEADERS):
            self._reset(_State.PREFIX)
            self._held = [(token, char)]
            self._start = self._last = now
            return out
        out.append(Release((token,)))
        return out

    def expire(self, now: float) -> list[Outcome]:
        """Settle what time alone decides (a pause, the duration bound)."""
        s = self.settings
        out: list[Outcome] = []
        state = self._state
        if state is _State.PREFIX and now - self._last > s.key_gap:
            out.append(Release(tuple(t for t, _ in self._held)))
            self._reset(_State.IDLE)
        elif state is _State.PAYLOAD:
            if now - self._start > s.max_duration:
                out.append(self._finish(EndedBy.TOO_SLOW))
                self._begin_swallow(now)
            elif now - self._last > s.end_gap:
                out.append(self._finish(EndedBy.PAUSE))
                self._reset(_State.TAIL_WATCH)
                self._tail_until = now + s.tail_window
        elif state in (_State.SWALLOW, _State.TAIL) and now - self._last > s.end_gap:
            out.extend(self._end_swallow())
        elif state is _State.TAIL_WATCH:
            if self._held and now - self._last > s.key_gap:
                out.append(Release(tuple(t for t, _ in self._held)))
                self._held = []
            if not self._held and now >= self._tail_until:
                self._reset(_State.IDLE)
        return out

    def flush_held(self) -> list[Outcome]:
        """Give back held keys now (a mouse click is coming: they were typed before it)."""
        if not self._held or self._state not in (_State.PREFIX, _State.TAIL_WATCH):
            return []
        out: list[Outcome] = [Release(tuple(t for t, _ in self._held))]
        self._held = []
        if self._state is _State.PREFIX:
            self._reset(_State.IDLE)
        return out

    # -- internals -----------------------------------------------------------------------
    def _in_payload(self, token: object, char: str | None, now: float) -> list[Outcome]:
        self._last = now
        if char in (ENTER, TAB):
            out: list[Outcome] = [self._finish(EndedBy.ENTER)]
            self._reset(_State.IDLE)
            return out
        if char is None:
            out = [self._finish(EndedBy.INTERRUPTED), Release((token,))]
            self._reset(_State.IDLE)
            return out
        self._buffer.append(char)
        self._length += len(char)
        if self._length > self.settings.max_chars:
            out = [self._finish(EndedBy.TOO_LONG)]
            self._begin_swallow(now)
            return out
        return []

    def _finish(self, ended_by: EndedBy) -> Scan:
        text = "".join(self._buffer)[: self.settings.max_chars]
        return Scan(self._kind, text, ended_by)

    def _begin_swallow(self, now: float) -> None:
        self._reset(_State.SWALLOW)
        self._last = now

    def _end_swallow(self) -> list[Outcome]:
        was_tail, count = self._state is _State.TAIL, self._count
        self._reset(_State.IDLE)
        return [Scan(ScanKind.TAIL, "", EndedBy.PAUSE)] if was_tail and count else []

    def _reset(self, state: _State) -> None:
        self._state = state
        self._held: list[tuple[Any, str]] = []
        self._buffer: list[str] = []
        self._length = 0
        self._count = 0
        self._kind = ScanKind.PAYLOAD
        self._start = 0.0
        self._last = 0.0


def _kind_of(header: str) -> ScanKind:
    if header == WRONG_LAYOUT_HEADER:
        return ScanKind.WRONG_LAYOUT
    if header == CAPS_LOCK_HEADER:
        return ScanKind.CAPS_LOCK
    return ScanKind.PAYLOAD


def payload_in_paste(text: str, max_chars: int = 300) -> str | None:
    """A pasted datamatrix (some scanner drivers paste, so do people): the payload, or None.

    Only a paste that is one code and nothing else counts, so pasting ordinary text that
    happens to start with « IS01 » into a field is not taken from it by surprise.
    """
    stripped = text.strip("\r\n")
    if not stripped.startswith(HEADER) or len(stripped) > max_chars:
        return None
    if "\n" in stripped or "\r" in stripped:
        return None
    return stripped
