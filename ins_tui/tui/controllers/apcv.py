"""The appli carte Vitale at the desk: pick the presented person, confirm the record.

The app's INS is already qualified (identity-rules: ApCV), so there is no INSi call; the
one human step is the secretary checking the presented identity against the person and
choosing the record (or a new one). Desk calls run in thread workers; the outcome comes
back as `ActionDone(choice="apcv")`.
"""

from __future__ import annotations

from typing import Any

from ins_tui.tui import format as fmt
from ins_tui.tui.controllers.base import Controller
from ins_tui.tui.messages import ActionDone


class ApcvController(Controller):
    def start(self) -> None:
        self.in_thread("apcv", self._identities)

    def _identities(self) -> None:
        identities = self.desk.apcv_identities()
        self.app.call_from_thread(self._pick, identities)

    def _pick(self, identities: list[Any]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        labels = [
            f"{p.identity.traits.birth_name} {p.identity.traits.first_first_name.title()} "
            f"({p.role_fr}) — né·e le {fmt.date_fr(p.identity.traits.birth_date)}"
            for p in identities
        ]

        def chosen(index: int | None) -> None:
            if index is not None:
                self.in_thread("apcv", self._candidates, identities[index])

        self.app.to_main()
        self.app.push_screen(
            ChoiceList("Appli carte Vitale : identités présentées", labels,
                       prompt="Qui est le patient ? (l'INS de l'appli est qualifié, sans "
                       "appel INSi)", name="apcv"),
            chosen,
        )

    def _candidates(self, presented: Any) -> None:
        candidates = self.desk.apcv_candidates(presented)
        self.app.call_from_thread(self._confirm, presented, candidates)

    def _confirm(self, presented: Any, candidates: list[Any]) -> None:
        from ins_tui.tui.screens.choice_list import ChoiceList

        traits = presented.identity.traits
        labels = [
            f"{fmt.person_name(c.traits.birth_name, c.traits.first_first_name)} — né·e le "
            f"{fmt.date_fr(c.traits.birth_date)} — {fmt.status_text(c.status)}"
            for c in candidates
        ]
        labels.append(
            f"Nouveau patient : {traits.birth_name} {traits.first_first_name.title()}"
        )

        def chosen(index: int | None) -> None:
            if index is None:
                self.say("Appli carte Vitale : rien n'a été enregistré.")
                return
            patient_id = candidates[index].id if index < len(candidates) else None
            self.in_thread("apcv", self._present, presented, patient_id)

        self.app.push_screen(
            ChoiceList("Appli carte Vitale : confirmer le patient", labels,
                       prompt=apcv_prompt(presented), name="apcv-confirm"),
            chosen,
        )

    def _present(self, presented: Any, patient_id: int | None) -> None:
        outcome = self.desk.apcv_present(presented, patient_id)
        if patient_id is None and outcome.ok:
            found = self.desk.apcv_candidates(presented)
            patient_id = found[0].id if found else None
        self.app.post_message(ActionDone((outcome, patient_id), choice="apcv"))

    def on_done(self, outcome: Any, patient_id: int | None) -> None:
        self.say(outcome.message_fr)
        if patient_id is not None:
            self.app.open_patient(patient_id, intro=outcome.message_fr)


def apcv_prompt(presented: Any) -> str:
    """The presented identity in full: the secretary compares it with the person (or the
    ID document) before the app's INS becomes the patient's qualified INS."""
    t = presented.identity.traits
    sex = getattr(t.sex, "value", t.sex) or "—"
    return (
        f"L'appli présente : {fmt.person_name(t.birth_name, t.first_first_name)} "
        f"({presented.role_fr}) · prénoms {t.first_names or '—'} · sexe {sex} · "
        f"né·e le {fmt.date_fr(t.birth_date)} · lieu de naissance {t.birthplace or '—'}.\n"
        "Vérifiez que c'est bien la personne présente, puis choisissez son dossier."
    )
