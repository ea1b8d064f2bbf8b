"""What the identity screen says: next keys by status, the adopt question.

Kept apart from the screen so the wording can be read (and reviewed by a secretary) in
one place, and the screen stays about events and keys.
"""

from __future__ import annotations

from typing import Any

__all__ = ["adopt_question", "next_keys_fr", "with_kind"]


def next_keys_fr(status: str) -> str:
    """What a record opened from the list waits for, by status: never a blank line."""
    if status == "RECUP":
        return "Entrée : qualifier l'identité (pièce d'identité à contrôler)   Échap : retour"
    if status == "QUAL":
        return "p : imprimer l'étiquette   Échap : retour"
    return "i : rechercher l'INS   e : modifier   Échap : retour"


def adopt_question(result: Any, name_of: Any = None) -> str:
    """Each trait that adopting would change, local value → INS value."""
    from ins_tui.domain.compare import Verdict
    from ins_tui.tui.widgets.comparison import place_cell

    def shown(trait: str, value: Any) -> str:
        if not value:
            return "—"
        return place_cell(str(value), name_of) if trait == "birthplace" else str(value)

    lines = [
        f"  {row.label_fr} : {shown(row.trait, row.local)} → {shown(row.trait, row.ins)}"
        for row in getattr(getattr(result, "comparison", None), "rows", ())
        if row.verdict is not Verdict.SAME and row.ins
    ]
    changes = "\n".join(lines) or "  (aucun trait ne change)"
    return ("Remplacer les traits locaux par ceux de l'INS et les verrouiller ?\n"
            f"{changes}\nLe journal gardera les valeurs d'avant.")


def with_kind(result: Any, kind_name: str) -> Any:
    """The same INSi result seen as another kind (an adopted answer now matches)."""
    import dataclasses

    from ins_tui.desk.results import InsiResultKind

    return dataclasses.replace(result, kind=InsiResultKind[kind_name])

