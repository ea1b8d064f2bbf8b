"""Print the label of one patient (the TUI's key and `ins-tui label --print` both come here).

Reads the patient, lets the label adapter make the PDF (datamatrix for QUAL identities
only, ins_tui/label/content.py), hands it to CUPS or to the label folder, and journals
that a label left the software — with the format, whether it carried the datamatrix and
the printer, never the traits (they are in the patient's row). Every outcome is a French
sentence; nothing here raises for a printing problem, so a worker thread can call it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ins_tui.domain.masking import exception_summary

if TYPE_CHECKING:
    from ins_tui.config import Config
    from ins_tui.label.pdf import RenderedLabel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LabelOutcome:
    ok: bool
    message_fr: str
    datamatrix: bool = False
    job: str | None = None
    path: Path | None = None


def render_patient_label(record: Any, config: Config, *, size_name: str | None = None,
                         training: bool = False) -> RenderedLabel:
    """The PDF of one stored patient (LabelError, French, when it cannot be made)."""
    from ins_tui.label.content import label_content
    from ins_tui.label.pdf import render_label
    from ins_tui.label.sizes import size_named

    size = size_named(size_name or config.label_size)
    traits = record.traits
    content = label_content(traits, record.status, record.ins,
                            place_name=_place_name(traits.birthplace), training=training)
    return render_label(content, size)


def print_patient_label(store: Any, patient_id: int, config: Config, *, actor: str,
                        training: bool = False, lock: Any = None) -> LabelOutcome:
    """Make, print (or save) and journal one label; `lock` is the desk's, when there is one."""
    from ins_tui.label.errors import LabelError
    from ins_tui.label.printing import deliver, settings_from_config

    guard = lock if lock is not None else contextlib.nullcontext()
    with guard:
        record = store.get_patient(patient_id)
    if record is None:
        return LabelOutcome(False, f"Patient introuvable (n° {patient_id}).")
    try:
        rendered = render_patient_label(record, config, training=training)
        settings = settings_from_config(config, training=training,
                                        media_auto=rendered.size.media)
        delivery = deliver(rendered.pdf, settings, stem=_stem(store, patient_id))
    except LabelError as exc:
        log.warning("label for patient %s not made: %s", patient_id, exc.message_fr)
        return LabelOutcome(False, exc.message_fr)
    datamatrix = rendered.symbol is not None
    message = delivery.message_fr
    if not datamatrix:
        message += f" {rendered.reason_fr or 'Pas de datamatrix INS.'}"
    journal_label(store, guard, patient_id, actor, rendered.size.name, datamatrix,
                  settings.printer if delivery.job else None, delivery.path)
    log.info("label for patient %s: printed=%s saved=%s datamatrix=%s", patient_id,
             bool(delivery.job), delivery.path is not None, datamatrix)
    return LabelOutcome(delivery.ok, message, datamatrix, delivery.job, delivery.path)


def print_desk_label(desk: Any, patient_id: int, config: Config, *,
                     training: bool = False) -> LabelOutcome:
    """The TUI's entry: the desk's store, operator and lock."""
    return print_patient_label(desk.store, patient_id, config, actor=desk.actor,
                               training=training, lock=getattr(desk, "_lock", None))


def journal_label(store: Any, guard: Any, patient_id: int, actor: str, size: str,
                  datamatrix: bool, printer: str | None, path: Path | None) -> None:
    """A journal row; a journal that cannot be written does not take the label back."""
    what = "étiquette imprimée" if printer else "étiquette enregistrée (PDF)"
    after = {"format": size, "datamatrix INS": "oui" if datamatrix else "non",
             "imprimante": printer or "—", "fichier": path.name if path else "—"}
    try:
        with guard, store.action(actor, "Étiquette patient"):
            store.append(what, patient_id=patient_id, after=after)
    except Exception as exc:  # the label is out already; say so in the log only
        log.warning("label journal row not written: %s", exception_summary(exc))


def _stem(store: Any, patient_id: int) -> str:
    """`etiquette-patient-12-20250314-093000`: no name in a file name (folder listings)."""
    now = store.now() if hasattr(store, "now") else None
    stamp = now.strftime("%Y%m%d-%H%M%S") if now is not None else "sans-date"
    return f"etiquette-patient-{patient_id}-{stamp}"


def _place_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        from ins_tui.refdata import load_cog

        return load_cog().name_of(code)
    except Exception:  # the code alone is printed: the name is a courtesy
        return None
