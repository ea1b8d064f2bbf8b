"""The plain look: what the screen may draw on a Linux console (issue 12, F16).

The Linux console draws text with a 256- or 512-glyph font. Debian's console-setup loads
a `Lat15-*` font for French; without it the kernel's own font has the VGA (CP437)
repertoire. Symbols such as ● ◐ ○ ≈ ≠ ∅ ⟳ ✓ and Textual's half-cell borders (▊ ▔ ▁)
are missing from one or the other and show as a blank or a diamond: the status or verdict
they carry would be lost. `CONSOLE_SAFE` is what every Lat15 face (29 files of
console-setup 1.221) draws: ASCII, Latin-1 and Latin-9 letters for the French text,
French punctuation, and the VGA box-drawing, arrow and shade glyphs. The plain look uses
only those, and always a word beside a symbol (docs/decisions.md, « Console Linux »).

One switch decides, read once when the app starts: the `plain` key of the configuration,
`ins-tui run --plain`, or automatically `TERM=linux` (and VT terminals).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Letters and punctuation of French text (ASCII, Latin-1, the Latin-9 additions).
_TEXT = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    + "ŒœŠšŽžŸ€‘’“”«»–—•"
)
# VGA box drawing (Textual's `solid`, `double` and `ascii` borders), arrows, blocks.
_VGA = "─│┌┐└┘├┤┬┴┼═║╒╓╔╕╖╗╘╙╚╛╜╝╞╟╠╡╢╣╤╥╦╧╨╩╪╫╬↑↓←→█░▒■"
CONSOLE_SAFE = frozenset(_TEXT + _VGA)

PLAIN_CSS = Path(__file__).with_name("plain.tcss")


def unsafe_characters(text: str) -> set[str]:
    """Characters of `text` the console fonts may not draw (line breaks are fine)."""
    return {c for c in text if c not in CONSOLE_SAFE and c != "\n"}


def words(text: str) -> str:
    """A status sentence as the running look can draw it: « … » becomes « ... » in the
    plain look (the console fonts lack U+2026); the richer look keeps it."""
    return text.replace("…", "...") if _current[0].plain else text


def wants_plain(configured: bool, environ: Mapping[str, str]) -> bool:
    """Plain when asked (configuration, `--plain`) or on a console known to lack glyphs.

    `TERM=linux` is the kernel console; `vt*` terminals (vt100, vt220) draw DEC line
    graphics, not Unicode. Any other terminal keeps the richer glyphs unless asked.
    """
    term = environ.get("TERM", "")
    return configured or term == "linux" or term.startswith("vt")


@dataclass(frozen=True)
class Glyphs:
    """The symbols the screens draw; each one always has a word beside it."""

    plain: bool
    status: Mapping[str, str]  # identity status code -> symbol (the code follows it)
    pending: str  # an INSi request waiting in the retry queue
    ok: str  # a field accepted (feedback line)
    bad: str  # a field refused (feedback line)
    warn: str  # a field accepted with a change worth reading (feedback line)
    folded: str  # a journal action with hidden rows
    unfolded: str  # a journal action with its rows shown
    branch: str  # a journal row under its action
    cut: str  # the end of a text cut to fit a cell

    def verdict(self, verdict: Any) -> str:
        """The comparison verdict's symbol: the domain carries both forms."""
        if self.plain:
            return str(getattr(verdict, "ascii_symbol", ""))
        return str(getattr(verdict, "symbol", ""))


RICH = Glyphs(
    plain=False,
    status={"PROV": "○", "RECUP": "◐", "VALI": "◑", "QUAL": "●"},
    pending="⟳", ok="✓", bad="✗", warn="!", folded="▸", unfolded="▾", branch="└", cut="…",
)
# Denser as the identity gets stronger: a dot, a star, a cross, a full hash (not « : »,
# which read « Identité : : RECUP »).
PLAIN = Glyphs(
    plain=True,
    status={"PROV": ".", "RECUP": "*", "VALI": "+", "QUAL": "#"},
    pending="~", ok="OK", bad="X", warn="!", folded="+", unfolded="-", branch="└", cut="~",
)

_current: list[Glyphs] = [RICH]


def glyphs() -> Glyphs:
    """The glyph set of the running app (RICH until `start` says otherwise)."""
    return _current[0]


@cache
def whole_cell_scrollbar() -> type:
    """Scroll bars drawn with whole cells only: Textual's smooth ends use ▁▂▃ / ▉▊▋,
    which the console fonts lack; a blank cell in the bar colour shows everywhere.
    Built on demand so that the formatting helpers (CLI too) never import Textual."""
    from textual.scrollbar import ScrollBarRender

    class WholeCellScrollBarRender(ScrollBarRender):
        VERTICAL_BARS = [" "] * 8
        HORIZONTAL_BARS = [" "] * 8

    return WholeCellScrollBarRender


def reset() -> None:
    """Back to the richer look, as before any app started. An app that ran with the plain
    look left it process-wide; a later caller without an app (a command printing to a
    terminal, the next test) must not inherit it."""
    from textual.scrollbar import ScrollBar, ScrollBarRender

    _current[0] = RICH
    ScrollBar.renderer = ScrollBarRender


def start(app: Any, configured: bool, environ: Mapping[str, str]) -> bool:
    """Decide the look once, before the first frame: glyphs, scroll bars, borders.

    Process-wide on purpose (there is one app per process): the formatting helpers are
    called from every screen and must not each be handed the app. Every app start sets
    all three, so a previous app (tests run many) never leaks its look into the next.
    """
    from textual.scrollbar import ScrollBar, ScrollBarRender

    plain = wants_plain(configured, environ)
    _current[0] = PLAIN if plain else RICH
    # Textual's documented way to change how every scroll bar is drawn.
    ScrollBar.renderer = whole_cell_scrollbar() if plain else ScrollBarRender
    if plain and PLAIN_CSS not in app.css_path:
        app.css_path.append(PLAIN_CSS)
    return plain
