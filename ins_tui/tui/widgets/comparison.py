"""Local traits and INS traits side by side, one line per trait, verdict as symbol + word.

The verdict words and symbols come from the domain (`compare.Verdict`): the screen only
lays them out, so colour is never the only carrier of "different" or "missing".
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.widgets import Static

from ins_tui.tui import format as fmt


def _cell(trait: str, value: Any, name_of: Any = None) -> str:
    if value is None or value == "":
        return "—"
    if trait == "birth_date":
        return fmt.date_fr(str(value))
    if trait == "birthplace":
        return place_cell(str(value), name_of)
    return str(getattr(value, "value", value))


def place_cell(code: str, name_of: Any = None) -> str:
    """« 63220 — Clermont-Ferrand (63) », « 99132 — Royaume-Uni » (issue 12, F5).

    The code first, as the INS carries it, then what it stands for: the secretary checks
    a place name against the ID card, the code tells two homonymous communes apart.
    Without the tables (still loading) the code alone; it is redrawn once they are there.
    """
    name = name_of(code) if name_of is not None else None
    if not name:
        return "inconnu (99999)" if code == "99999" else code
    if code.startswith("99"):
        return f"{code} — {name}"
    department = code[:3] if code.startswith("97") else code[:2]
    return f"{code} — {name} ({department})"


def verdict_text(verdict: Any) -> str:
    """Symbol and word (« ≠ différent », plain look « ! différent »): never one alone."""
    from ins_tui.tui.console_look import glyphs

    symbol = glyphs().verdict(verdict)
    word = getattr(verdict, "label_fr", None) or getattr(verdict, "word_fr", None)
    return f"{symbol} {word or str(getattr(verdict, 'name', verdict)).lower()}".strip()


IMPORTED_FR = "importé de l'INSi"
IMPORTED_NOTE = ("Verdicts : comparaison faite avant l'import. Le dossier porte maintenant "
                 "les traits INS (verrouillés).")


def imported_traits(comparison: Any, current: Any) -> set[str]:
    """Traits whose local value was replaced by the INS value since the comparison.

    Read from the record as it is now (not assumed from the verdict): a trait counts as
    imported when the record now holds the INS value and the compared local value differed.
    """
    if current is None:
        return set()
    imported = set()
    for row in comparison.rows:
        now = _cell(row.trait, getattr(current, row.trait, None))
        ins = _cell(row.trait, row.ins)
        if ins != "—" and now == ins and _cell(row.trait, row.local) != ins:
            imported.add(row.trait)
    return imported


def comparison_table(comparison: Any, current: Any = None, name_of: Any = None) -> Table:
    """`current`: the record's traits now; after an import the local column says, per
    trait, which value came from the INSi, while the verdict column keeps the comparison
    that led to the import (the secretary must see both)."""
    imported = imported_traits(comparison, current)
    table = Table(
        show_header=True, header_style="bold", box=None, pad_edge=False, expand=True,
        show_edge=False,
    )
    # Labels and verdicts never wrap (at 80 columns a wrapped label doubled the rows and
    # pushed the next-key line off a 24-line screen); the two values share what is left
    # and fold when long, so nothing is ever cut.
    table.add_column("Trait", no_wrap=True)
    table.add_column("Local", ratio=1, overflow="fold")
    table.add_column("INS (INSi)", ratio=1, overflow="fold")
    table.add_column("Verdict", no_wrap=True)
    if imported:
        table.caption = IMPORTED_NOTE
        table.caption_justify = "left"
    for row in comparison.rows:
        local = _cell(row.trait, row.local, name_of)
        if row.trait in imported:
            local = f"{_cell(row.trait, getattr(current, row.trait), name_of)} " \
                    f"({IMPORTED_FR} ; avant : {local})"
        table.add_row(
            row.label_fr,
            local,
            _cell(row.trait, row.ins, name_of),
            verdict_text(row.verdict),
        )
    return table


class ComparisonPanel(Static):
    """Empty until a comparison is shown; `show(None)` hides it again."""

    DEFAULT_CSS = """
    ComparisonPanel { height: auto; margin: 1 0 0 0; }
    ComparisonPanel.-empty { display: none; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", classes="-empty", **kwargs)
        self.comparison: Any = None
        self.current: Any = None
        self.name_of: Any = None

    def as_text(self, width: int = 100) -> str:
        """What the panel says, as plain text (support copies, tests read it)."""
        if self.comparison is None:
            return ""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=_Null())
        console.print(comparison_table(self.comparison, self.current, self.name_of))
        return console.export_text()

    def show(self, comparison: Any, current: Any = None, name_of: Any = None) -> None:
        """`current`: the patient's traits as stored now (see `comparison_table`);
        `name_of`: COG code -> place name, when the tables are loaded."""
        self.comparison = comparison
        self.current = current
        self.name_of = name_of
        if comparison is None:
            self.add_class("-empty")
            self.update("")
            return
        self.remove_class("-empty")
        self.update(comparison_table(comparison, current, name_of))


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
