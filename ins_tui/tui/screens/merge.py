"""« Fusionner » two records of one person: both side by side, the survivor, a confirmation.

Why a full screen rather than a question: the person must see both records trait by trait,
the differing ones marked by a word and a symbol (never colour alone), which one survives
(`s` swaps it) and, when the rule refuses, why — in French, with the way out for a
douteuse or fictive identity (a reason, `m`, journaled with the merge). Nothing is written
before Entrée and the confirmation. The desk judges (`desk/merge.py`); the screen lays out.

`start_merge` is the path from the main screen: the other record is picked among the
possible duplicates of the selected patient, or typed by its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ins_tui.domain.compare import Verdict
from ins_tui.domain.merge import MAX_REASON
from ins_tui.tui import format as fmt
from ins_tui.tui.messages import unless_closing
from ins_tui.tui.screens.base import DeskScreen
from ins_tui.tui.widgets.banner import banner_of
from ins_tui.tui.widgets.comparison import verdict_text
from ins_tui.tui.widgets.footer import DeskFooter

OTHER_NUMBER = "Autre dossier : saisir son n°…"


@dataclass
class PreviewLoaded(Message):
    preview: Any
    error: str = ""


@dataclass
class MergeFinished(Message):
    outcome: Any


class TextPrompt(ModalScreen[str | None]):
    """One line of text (a record number, an override reason); Échap cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="prompt.cancel",
                tooltip="Fermer sans rien saisir"),
    ]

    def __init__(self, title: str, prompt: str, *, max_length: int = MAX_REASON) -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt
        self._max = max_length

    def compose(self) -> ComposeResult:
        yield from banner_of(self.app)
        with Vertical(classes="modal-body"):
            yield Static(self._title, classes="modal-title", markup=False)
            yield Static(self._prompt, markup=False)
            yield Input(id="prompt-input", max_length=self._max)
            yield Static("Entrée : valider    Échap : annuler", classes="modal-keys",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def start_merge(screen: Any, patient_id: int) -> None:
    """From the main screen: pick the other record, then open the merge screen."""
    from ins_tui.tui.screens.choice_list import ChoiceList

    app = screen.app

    def open_with(other: int | None) -> None:
        if other is None:
            return
        if other == patient_id:
            app.say("Choisir un autre dossier que celui du patient sélectionné.")
            return
        app.push_screen(MergeScreen(patient_id, other))

    def typed(text: str | None) -> None:
        if text is None:
            return
        if not text.isdigit():
            app.say(f"N° de dossier illisible : « {text[:20]} ».")
            return
        open_with(int(text))

    def ask_number() -> None:
        app.push_screen(TextPrompt("Fusionner : autre dossier", "N° du dossier à comparer :",
                                   max_length=9), typed)

    def got(candidates: list[Any]) -> None:
        if not candidates:
            ask_number()
            app.say("Aucun doublon possible trouvé : saisir le n° de l'autre dossier.")
            return
        items = [f"n° {c.patient_id} — {c.label_fr} ({c.reason_fr})" for c in candidates]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if index >= len(candidates):
                ask_number()
            else:
                open_with(candidates[index].patient_id)

        app.push_screen(ChoiceList("Fusionner avec quel dossier ?", [*items, OTHER_NUMBER],
                                   prompt="Doublons possibles du patient sélectionné :"),
                        chosen)

    def find() -> None:
        try:
            candidates = app.desk.merge_candidates(patient_id)
        except Exception:  # no candidates is not a failure: the number can be typed
            candidates = []
        app.call_from_thread(got, candidates)

    app.run_worker(find, thread=True, group="merge-pick", exclusive=True, exit_on_error=False)


class MergeScreen(DeskScreen):
    CSS_PATH = "merge.tcss"  # its own styles, beside it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="merge.back",
                tooltip="Revenir sans fusionner"),
        Binding("enter", "confirm", "Fusionner", id="merge.confirm",
                tooltip="Fusionner (confirmation demandée)"),
        Binding("s", "swap", "Échanger", id="merge.swap",
                tooltip="Échanger le dossier conservé et le dossier fusionné"),
        Binding("m", "reason", "Motif", id="merge.reason",
                tooltip="Saisir le motif de dérogation (identité douteuse ou fictive)"),
    ]

    def __init__(self, first_id: int, second_id: int) -> None:
        super().__init__(id="merge")
        self.first_id = first_id
        self.second_id = second_id
        self.kept_id: int | None = None
        self.reason: str | None = None
        self.preview: Any = None

    def compose(self) -> ComposeResult:
        yield from self.desk_app.banner()
        yield Static("Fusionner deux dossiers du même patient", id="top-line", markup=False)
        yield Static("Chargement des deux dossiers…", id="merge-table", markup=False)
        yield Static("", id="merge-verdict", markup=False)
        yield Static("", id="status-line", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="merge-preview", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk_app.desk
        try:
            preview = desk.merge_preview(self.first_id, self.second_id, kept_id=self.kept_id,
                                         override_reason=self.reason)
        except Exception as exc:
            from ins_tui.tui.errors import error_fr

            self.post_message(PreviewLoaded(None, error_fr(exc, "Fusion")))
            return
        self.post_message(PreviewLoaded(preview))

    @on(PreviewLoaded)
    @unless_closing
    def _show(self, message: PreviewLoaded) -> None:
        message.stop()
        if message.preview is None:
            self.query_one("#merge-table", Static).update(message.error)
            return
        self.preview = p = message.preview
        self.kept_id = p.kept.id
        self.query_one("#merge-table", Static).update(self.table(p))
        self.set_line("merge-verdict", self.verdict_line(p))
        default = "" if p.default_kept_id == p.kept.id else \
            f" (par défaut : n° {p.default_kept_id})"
        self.set_line("top-line", f"Fusionner : n° {p.dropped.id} dans n° {p.kept.id} "
                      f"conservé{default}")

    @staticmethod
    def table(p: Any) -> Table:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False,
                      expand=True, show_edge=False)
        table.add_column("Trait", no_wrap=True)
        table.add_column(f"Conservé n° {p.kept.id}", ratio=1, overflow="fold")
        table.add_column(f"Fusionné n° {p.dropped.id}", ratio=1, overflow="fold")
        table.add_column("", no_wrap=True)
        same, other = verdict_text(Verdict.SAME), verdict_text(Verdict.DIFFERENT)
        for diff in p.diffs:
            kept, dropped = diff.kept or "—", diff.dropped or "—"
            if diff.trait == "birth_date":
                kept, dropped = fmt.date_fr(diff.kept), fmt.date_fr(diff.dropped)
            table.add_row(diff.label_fr, kept, dropped, other if diff.differs else same)

        def state(side: Any) -> str:
            attrs = ", ".join(sorted(str(a) for a in side.attributes))
            return fmt.status_text(side.status) + (f" ({attrs})" if attrs else "")

        table.add_row("Statut", state(p.kept), state(p.dropped), "")
        table.add_row("INS", "oui" if p.kept.ins_matricule else "non",
                      "oui" if p.dropped.ins_matricule else "non", "")
        table.add_row("Créé le", fmt.date_fr(p.kept.created_at[:10]),
                      fmt.date_fr(p.dropped.created_at[:10]), "")
        return table

    @staticmethod
    def verdict_line(p: Any) -> str:
        moves = f"{p.visits} passage(s) à déplacer vers le n° {p.kept.id}."
        if p.allowed:
            return f"{p.decision.message_fr} {moves} Entrée : fusionner · s : échanger."
        hint = " m : saisir un motif de dérogation." if p.decision.needs_override else ""
        return f"Fusion refusée : {p.decision.message_fr}{hint} s : échanger."

    def say(self, text: str) -> None:
        self.set_line("status-line", text)

    # -- actions ----------------------------------------------------------------------
    def action_swap(self) -> None:
        if self.preview is None:
            return
        self.kept_id = self.preview.dropped.id
        self._load()
        self.say(f"Dossier conservé : n° {self.kept_id}.")

    def action_reason(self) -> None:
        def got(text: str | None) -> None:
            if text is None:
                return
            self.reason = text
            self._load()
            self.say("Motif de dérogation saisi (inscrit au journal avec la fusion).")

        self.app.push_screen(TextPrompt(
            "Motif de dérogation", "Pourquoi fusionner malgré une identité douteuse ou "
            "fictive ? (inscrit au journal)"), got)

    def action_confirm(self) -> None:
        from ins_tui.tui.screens.confirm import ConfirmModal

        p = self.preview
        if p is None:
            return
        if not p.allowed:
            self.say(self.verdict_line(p))
            return
        kept, dropped = p.kept.id, p.dropped.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._merge(kept, dropped, self.reason)

        self.app.push_screen(ConfirmModal(
            f"Fusionner le dossier n° {dropped} dans le dossier n° {kept} ? Ses passages "
            f"({p.visits}) passent au n° {kept} ; le n° {dropped} est marqué fusionné (jamais "
            "supprimé, annulable depuis le journal).", title="Fusionner les dossiers ?"),
            answered)

    @work(thread=True, exclusive=True, group="merge-write", exit_on_error=False)
    def _merge(self, kept: int, dropped: int, reason: str | None) -> None:
        outcome = self.desk_app.desk.merge(kept, dropped, override_reason=reason)
        self.post_message(MergeFinished(outcome))

    @on(MergeFinished)
    @unless_closing
    def _merged(self, message: MergeFinished) -> None:
        message.stop()
        outcome = message.outcome
        if not outcome.ok:
            self.say(f"Fusion refusée : {outcome.message_fr}")
            return
        self.app.pop_screen()
        main = self.desk_app.main_screen()
        if main is not None:
            main.refresh_list(force=True)
        self.desk_app.say(f"Fusion n° {outcome.merge_id} faite. {outcome.message_fr} "
                          "(annulable depuis le journal : u)")

    def action_back(self) -> None:
        self.app.pop_screen()


def ask_unmerge(screen: Any, row: Any) -> None:
    """From the journal (`u` on a merge row): find the merge, confirm, undo, reload."""
    from ins_tui.tui.screens.confirm import ConfirmModal

    app = screen.app

    def done(message: str) -> None:
        screen.note = message  # said when the journal, now with the unmerge rows, reloads
        screen._load()
        main = app.main_screen()
        if main is not None:
            main.refresh_list(force=True)

    def undo(merge_id: int) -> None:
        outcome = app.desk.unmerge(merge_id)
        text = outcome.message_fr if outcome.ok else f"Annulation refusée : {outcome.message_fr}"
        app.call_from_thread(done, text)

    def ask(merge: Any) -> None:
        if merge is None:
            screen.say("Aucune fusion liée à cette ligne.")
            return
        if merge.undone:
            screen.say(f"Fusion n° {merge.id} déjà annulée.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                app.run_worker(lambda: undo(merge.id), thread=True, group="merge-undo",
                               exit_on_error=False)

        app.push_screen(ConfirmModal(
            f"Annuler la fusion n° {merge.id} ? Le dossier n° {merge.dropped_id} est rétabli "
            f"avec ses {len(merge.visits)} passage(s) ; le n° {merge.kept_id} garde ce qu'il "
            "a reçu depuis.", title="Annuler la fusion ?"), answered)

    def find() -> None:
        merge = app.desk.merge_of_journal_row(row)
        app.call_from_thread(ask, merge)

    app.run_worker(find, thread=True, group="merge-find", exit_on_error=False)
