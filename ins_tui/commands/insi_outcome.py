"""What an `insi search` outcome becomes for a script: its exit code and `--json` document.

Both are a published contract (docs/cli-insi.md): scripts branch on the exit code and
read the document's fields, so they are built in one place, from the client's outcome
types, and the human output (`insi_search.py`) is printed from the same document.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ins_tui.cli import EXIT_INVALID
from ins_tui.cli import EXIT_OK as EXIT_FOUND

if TYPE_CHECKING:
    from ins_tui.insi.outcomes import InsiOutcome

EXIT_NOT_FOUND = 1
EXIT_SERVICE = 3

# The app queues a failed search itself; from the command line the operator is the queue.
RUN_AGAIN = " Relancez la commande dans quelques minutes."


def problem_dict(p) -> dict:
    return {"field": p.field, "code": p.code, "message": p.message}


def outcome_to_dict(outcome: InsiOutcome) -> dict:
    """The `--json` document (schema in docs/cli-insi.md)."""
    from ins_tui.insi.outcomes import ErrorKind, Found, InsiError, NotFound

    def ins(i, start=None, end=None) -> dict:
        d = {"number": i.number, "key": i.key, "matricule": i.matricule, "oid": i.oid,
             "key_ok": i.key_ok}
        if start is not None or end is not None:
            d.update({"date_start": start, "date_end": end})
        return d

    def text(data: bytes | None) -> str | None:
        return None if data is None else data.decode("utf-8", errors="replace")

    doc: dict = {"outcome": "", "exit_code": 0, "message": "", "error_kind": None,
                 "problems": [], "identity": None, "warnings": [], "fault": None,
                 "attempts": []}
    def identity(ident, derived: bool | None) -> dict:
        t = ident.traits
        return {
            "ins": ins(ident.ins),
            "history": [ins(h.ins, h.date_start, h.date_end) for h in ident.history],
            "traits": {"birth_name": t.birth_name, "first_names": t.first_names,
                       "first_name": t.first_name, "first_name_derived": derived,
                       "sex": str(t.sex) if t.sex else None, "birth_date": t.birth_date,
                       "birthplace": t.birthplace},
        }

    if isinstance(outcome, Found):
        doc.update(outcome="found", exit_code=EXIT_FOUND, message="INS trouvé.",
                   warnings=list(outcome.warnings))
        doc["identity"] = identity(outcome.identity, outcome.first_name_derived)
    elif isinstance(outcome, NotFound):
        doc.update(outcome="not_found", exit_code=EXIT_NOT_FOUND,
                   message="Aucune identité trouvée (CR 01) : vérifiez les traits ou "
                   "ajoutez des critères.")
    elif isinstance(outcome, InsiError):
        invalid = outcome.kind is ErrorKind.INVALID_INPUT
        # Nothing left the machine because of what was given (endpoint, CA, PKCS#12,
        # password): like bad traits, retrying as is cannot help, so it is exit 2 too.
        local = not outcome.attempts and outcome.kind in (
            ErrorKind.CONFIGURATION, ErrorKind.CERTIFICATE)
        doc.update(outcome="invalid" if invalid else "error",
                   exit_code=EXIT_INVALID if invalid or local else EXIT_SERVICE,
                   message=outcome.message_fr + (RUN_AGAIN if outcome.retryable else ""),
                   error_kind=str(outcome.kind),
                   problems=[problem_dict(p) for p in outcome.problems])
        if outcome.kind is ErrorKind.INCOHERENT and outcome.identity is not None:
            # What INSi said, shown so the operator can report it; nothing was kept. The
            # problems are the masked rules (the message already lists them).
            from ins_tui.domain.identity_check import rule_fr

            doc["identity"] = identity(outcome.identity, None)
            doc["problems"] = [{"field": p.field, "code": p.code, "message": rule_fr(p.code)}
                               for p in outcome.problems if p.is_error]
            doc["warnings"] = [p.message for p in outcome.problems if not p.is_error]
        if outcome.fault:
            f = outcome.fault
            doc["fault"] = {"code": f.code, "subcode": f.subcode, "reason": f.reason,
                            "detail_code": f.detail_code, "severity": f.severity,
                            "text": f.detail_text}
    else:
        doc.update(outcome="several_found", exit_code=EXIT_NOT_FOUND,
                   message="Plusieurs identités trouvées (CR 02) : ajoutez le lieu de "
                   "naissance ou les autres prénoms.")
    doc["attempts"] = [
        {"operation": a.operation, "first_name": a.first_name, "birthplace": a.birthplace,
         "message_id": a.message_id, "http_status": a.http_status, "cr": a.cr,
         "fault_code": a.fault.detail_code if a.fault else None, "error": a.error,
         "elapsed_ms": round(a.elapsed_s * 1000, 1), "request": text(a.request),
         "response": text(a.response)}
        for a in outcome.attempts
    ]
    return doc


def print_json(doc: dict) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
