"""Every key of the app, grouped by screen: the source of F1 and of docs/keys.md.

Both are built from the screens' `BINDINGS`, so the help can never promise a key that
does not exist (a test compares docs/keys.md with `keys_markdown()`).
"""

from __future__ import annotations

from typing import Any


def help_sections(*, training: bool = True) -> list[tuple[str, Any]]:
    from ins_tui.tui.app_keys import APP_BINDINGS, TRAINING_ONLY
    from ins_tui.tui.screens.choice_list import ChoiceList
    from ins_tui.tui.screens.confirm import ConfirmModal
    from ins_tui.tui.screens.criteria import CriteriaModal
    from ins_tui.tui.screens.document_step import DocumentStep
    from ins_tui.tui.screens.duplicates import DuplicateModal
    from ins_tui.tui.screens.identity import IdentityScreen
    from ins_tui.tui.screens.journal import JournalScreen
    from ins_tui.tui.screens.main import MainScreen
    from ins_tui.tui.screens.merge import MergeScreen, TextPrompt
    from ins_tui.tui.screens.patient_form import PatientForm
    from ins_tui.tui.screens.place_picker import PlacePicker
    from ins_tui.tui.screens.report import ReportScreen
    from ins_tui.tui.screens.search import SearchScreen

    everywhere = [
        b for b in APP_BINDINGS
        if training or b.action not in TRAINING_ONLY
    ]
    return [
        ("Partout", everywhere),
        ("File d'attente (écran principal)", MainScreen.BINDINGS),
        ("Identité du patient (carte, INSi, comparaison)", IdentityScreen.BINDINGS),
        ("Pièce d'identité (avant qualification)", _with_digits(DocumentStep.BINDINGS,
                                                                "Choisir la pièce n° 1 à 9")),
        ("Recherche de patient", [*SearchScreen.BINDINGS, _enter("Choisir le patient")]),
        ("Fiche patient (création, modification)", PatientForm.BINDINGS),
        ("Patient déjà connu ? (à la création)",
         [*DuplicateModal.BINDINGS, _enter("Ouvrir la fiche existante surlignée")]),
        ("Recherche INS avec plus de critères", CriteriaModal.BINDINGS),
        ("Lieu de naissance par son nom (depuis la fiche ou les critères)",
         [*PlacePicker.BINDINGS, _enter("Choisir le lieu surligné (le premier depuis la "
                                        "saisie)")]),
        ("Listes (bénéficiaires, cartes de test, ApCV, praticiens)",
         _with_digits(ChoiceList.BINDINGS, "Choisir l'élément n° 1 à 9",
                      extra=[_enter("Valider l'élément surligné (↑↓ pour se déplacer)")])),
        ("Confirmation", ConfirmModal.BINDINGS),
        ("Journal", JournalScreen.BINDINGS),
        ("Fusion de deux dossiers (f depuis la file)", MergeScreen.BINDINGS),
        ("Saisie d'un n° de dossier ou d'un motif", [*TextPrompt.BINDINGS,
                                                     _enter("Valider la saisie")]),
        ("Taux de qualification INS (F4)", ReportScreen.BINDINGS),
    ]


def _enter(description: str) -> Any:
    from textual.binding import Binding

    return Binding("enter", "noop", description)


def _with_digits(bindings: Any, description: str, extra: list[Any] | None = None) -> list[Any]:
    from textual.binding import Binding

    kept = [b for b in bindings if not (b.id or "").rsplit(".", 1)[-1].startswith("pick")]
    return [*kept, *(extra or []), Binding("1-9", "noop", description)]


# French key-cap names; the arrows are in the Linux console's fonts (tui/console_look.py).
_NAMES = {
    "enter": "Entrée", "escape": "Échap", "up": "↑", "down": "↓", "left": "←",
    "right": "→", "plus": "+", "minus": "-", "space": "Espace", "tab": "Tab",
    "backspace": "Retour arrière", "delete": "Suppr", "insert": "Inser", "home": "Début",
    "end": "Fin", "pageup": "Pg préc.", "pagedown": "Pg suiv.",
    "left_square_bracket": "[", "right_square_bracket": "]",
}
_MODIFIERS = {"ctrl": "Ctrl", "shift": "Maj", "alt": "Alt", "super": "Super", "meta": "Méta"}


def key_display(key: str) -> str:
    """A key as a French keyboard user names it: `ctrl+s` → `Ctrl+S`, `escape` → `Échap`,
    `shift+tab` → `Maj+Tab`. The footer shows keys this way too (`InsTuiApp.get_key_display`),
    never Textual's English names (« esc », « ^q »)."""
    parts = key.strip().split("+")
    *modifiers, last = parts if key.strip() != "plus" else ["plus"]
    shown = _NAMES.get(last, last.upper() if modifiers or len(last) > 1 else last)
    return "+".join([*(_MODIFIERS.get(m, m.capitalize()) for m in modifiers), shown])


def keys_markdown(*, level: int = 1) -> str:
    """docs/keys.md (level 1) and the README's « Touches » section (level 2): the same
    content as F1, as Markdown tables, so none of the three can drift from the bindings."""
    top, sub = "#" * level, "#" * (level + 1)
    lines = [
        f"{top} Touches de ins-tui" if level == 1 else f"{top} Touches",
        "",
        "Générée depuis les raccourcis de l'application (`ins_tui/tui/keys.py`) ; F1 affiche",
        "la même liste. Chaque raccourci a un identifiant, modifiable dans la configuration",
        "(`[keymap]` du fichier TOML, ou `INS_TUI_KEYMAP=\"id=touche,…\"`).",
        "Les touches marquées FORMATION n'existent qu'en mode formation (`make run`).",
        "",
    ]
    for title, bindings in help_sections(training=True):
        lines += [f"{sub} {title}", "", "| Touche | Action | Identifiant |", "|---|---|---|"]
        for binding in bindings:
            description = binding.tooltip or binding.description
            if not description:
                continue
            keys = " / ".join(key_display(k) for k in binding.key.split(","))
            lines.append(f"| {keys} | {description} | `{binding.id or '—'}` |")
        lines.append("")
    return "\n".join(lines)


README_KEYS_END = "## Commandes d'administration"


def with_readme_keys(readme: str) -> str:
    """The README with its « Touches » section replaced by the generated one."""
    start = readme.index("## Touches\n")
    end = readme.index(README_KEYS_END, start)
    return readme[:start] + keys_markdown(level=2) + "\n" + readme[end:]
