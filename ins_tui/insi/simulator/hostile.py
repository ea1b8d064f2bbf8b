"""The simulator's bad-day answers, for robustness tests: none may ever be believed.

Two kinds, kept in one place so a test author sees every attack the client is proven
against. `evil_bytes` answers are malformed or dangerous XML (an external entity, an
entity bomb, a truncated or cut body) sent instead of any answer. `hostile_answer` ones
are well-formed CR 00 answers for the person asked for with exactly one field corrupted,
which only the client's coherence checks can catch. The simulator picks one through its
`evil` knob (`EVIL_MODES` or `HOSTILE_ANSWER_MODES`).
"""

from __future__ import annotations

import copy
from dataclasses import replace

from ins_tui.domain.matricule import compute_key
from ins_tui.insi.identities import Answer
from ins_tui.insi.simulator.answers import resultat_bytes

EVIL_MODES = ("xxe", "bomb", "truncated", "cut")
# Hostile but well-formed: a CR 00 for the person asked for, with one field corrupted
# (`hostile_answer`); the client must refuse each as incoherent, never store it.
HOSTILE_ANSWER_MODES = ("foreign_oid", "future_birth", "sex_mismatch", "long_name", "bad_key",
                        "histo_foreign_oid")
FOREIGN_OID = "1.2.3.4.5"


def hostile_answer(answer: Answer, mode: str) -> Answer:
    """`answer` (a CR 00) with one field corrupted as `mode` says; other answers unchanged.

    Each mode breaks exactly one rule a kept identity must satisfy, so a test can tell
    which check caught it: OID outside the INS OIDs, birth date in 2099, sex contradicting
    the NIR's sex digit, a 50,000-character birth name, an active key failing mod 97, and
    a foreign OID on a former INS (a history entry is added when there is none).
    """
    if mode not in HOSTILE_ANSWER_MODES:
        raise ValueError(mode)
    if answer.cr != "00" or not answer.individu:
        return answer
    individu = copy.deepcopy(answer.individu)
    actif, tiq = individu["INSACTIF"], individu["TIQ"]
    if mode == "foreign_oid":
        actif["OID"] = FOREIGN_OID
    elif mode == "future_birth":
        tiq["DateNaissance"] = "2099" + tiq["DateNaissance"][4:]
    elif mode == "sex_mismatch":
        tiq["Sexe"] = "F" if tiq["Sexe"] == "M" else "M"
    elif mode == "long_name":
        tiq["NomNaissance"] = "A" * 50_000
    elif mode == "bad_key":
        good = int(compute_key(actif["NumIdentifiant"]))
        actif["Cle"] = f"{good % 97 + 1:02d}"  # any key but the right one
    else:
        former = dict(individu["INSHISTO"][0] if individu["INSHISTO"] else actif)
        former["OID"] = FOREIGN_OID
        individu["INSHISTO"] = [former, *individu["INSHISTO"][1:]]
    return replace(answer, individu=individu)


def evil_bytes(mode: str) -> bytes:
    """Hostile answers for robustness tests; none of them may ever be believed."""
    good = resultat_bytes(Answer(cr="01"))
    if mode == "xxe":
        return (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + good.split(b"?>", 1)[1].replace(b"Aucune identite trouvee", b"&x;"))
    if mode == "bomb":
        ents = '<!ENTITY a0 "ha">' + "".join(
            f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        return (f'<?xml version="1.0"?><!DOCTYPE r [{ents}]>'.encode()
                + good.split(b"?>", 1)[1].replace(b"Aucune identite trouvee", b"&a9;"))
    if mode in ("truncated", "cut"):
        return good[: len(good) // 2]
    raise ValueError(mode)
