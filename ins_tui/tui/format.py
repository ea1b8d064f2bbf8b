"""How values are shown on screen (dates, ages, names, statuses): display only, no rules.

Statuses and verdicts carry a symbol *and* a word so meaning never rests on colour
(16-colour consoles, colour-blind users). The symbols come from the look the app started
with (`console_look.glyphs()`): ASCII ones on a Linux console, whose fonts lack ○ ◐ ●.

The desk and domain modules behind the words are imported where a word is needed, not
here: the main screen imports this module before its first frame, and nothing it draws
then needs them (their import would only delay the screen, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ins_tui.tui.console_look import RICH, glyphs

# The rich symbols, for callers outside the app (commands print to any terminal);
# screens use `status_symbol`, which follows the console look.
STATUS_SYMBOL = dict(RICH.status)


def status_symbol(code: str) -> str:
    """The status symbol of the running look (`?` for a code no look knows)."""
    return glyphs().status.get(code, "?")


def cut(text: str, width: int) -> str:
    """Cut to `width` cells with the look's cut mark, so a cut is visible, never silent."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + glyphs().cut


def state_word(state: str) -> str:
    """A visit state as the secretary reads it (the desk's word; unknown ones as stored)."""
    from ins_tui.desk.results import VisitState

    try:
        return VisitState(state).label_fr
    except ValueError:
        return state


def date_fr(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        year, month, day = iso[:10].split("-")
    except ValueError:
        return iso
    return f"{day}/{month}/{year}"


def age_on(birth_iso: str | None, today: date) -> str:
    if not birth_iso:
        return "—"
    try:
        born = date.fromisoformat(birth_iso[:10])
    except ValueError:
        return "?"
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years >= 2:
        return f"{years} ans"
    months = (today.year - born.year) * 12 + today.month - born.month
    months -= today.day < born.day
    return f"{max(months, 0)} mois"


def time_of(iso_datetime: str | None) -> str:
    """`HH:MM` of a stored ISO timestamp (the store keeps local, aware times)."""
    if not iso_datetime or len(iso_datetime) < 16:
        return "—"
    return iso_datetime[11:16]


def status_cell(status: object) -> str:
    code = str(getattr(status, "value", status))
    return f"{status_symbol(code)} {code}"


# A patient whose INSi request waits in the retry queue: a symbol *and* words (never
# colour alone); the list cell is short to fit 80 columns, the detail panel says it all.
def insi_pending_cell() -> str:
    return f"{glyphs().pending} INSi"


def insi_pending_text() -> str:
    return f"{glyphs().pending} INSi en attente (relance automatique)"


def status_text(status: object) -> str:
    from ins_tui.desk.base import status_label
    from ins_tui.domain.model import Status

    code = str(getattr(status, "value", status))
    word = status_label(Status(code)) if code in Status.__members__ else code
    return f"{status_symbol(code)} {code} ({word})"


def person_name(birth_name: str, first_name: str | None, used_name: str | None = None) -> str:
    first = (first_name or "").title()
    if used_name and used_name != birth_name:
        return f"{used_name} {first} (né·e {birth_name})"
    return f"{birth_name} {first}".strip()


# Room left for a place name on the identity screen's "Sexe · né·e le · lieu" line at 80
# columns; longer names are cut with an ellipsis (the code beside it stays whole).
PLACE_NAME_WIDTH = 30


def place(code: str | None, name_of: Callable[[str], str | None] | None = None) -> str:
    """A birthplace as a person reads it, name first then the COG code it stands for.

    The code alone ("2B020") means nothing to the secretary checking it against an ID
    card; the name alone would hide which of two homonymous communes is stored.
    """
    if not code:
        return "—"
    if code == "99999":
        return "inconnu (99999)"
    name = name_of(code) if name_of is not None else None
    if not name:
        return code
    return f"{cut(name, PLACE_NAME_WIDTH)} ({code})"
