"""An INSi CR 00 answer judged before anyone believes it: the rules of a kept identity, plus
the few that only make sense for an INS.

INSi is the reference, but what reaches the desk is bytes from a network: a foreign OID,
a birth date in 2099 or a 50,000-character name must not become a patient's INS. The
traits and every INS form go through `identity_check` — the one rule set the store and
`db check` use — so an answer is never held to a looser rule than a typed record. What is
added here is what only a matricule can tell: its key (mod 97) and the sex, birth year and
birth month it encodes, compared with the traits INSi returned with it.

Errors refuse the answer (nothing stored); warnings keep it and are shown. Which is which,
and why, is in docs/decisions.md ("Issue 9: INS answers checked like typed traits").
Warning messages mask the matricule (last four characters) and never repeat a name: they
travel with the outcome into journals and logs.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ins_tui.domain.identity_check import check_identity_traits, check_ins_form
from ins_tui.domain.masking import mask_matricule_tail
from ins_tui.domain.matricule import check_matricule, describe_nir, is_well_formed_number
from ins_tui.domain.model import OID_INS_NIA, OID_INS_NIR, Ins, InsHistoryEntry, InsIdentity
from ins_tui.domain.problems import Problem, error, warning

# A real endpoint answers only these; test (.10) and demo (.11) OIDs belong to the training
# simulator and test fixtures, never to a production answer.
PRODUCTION_OIDS = frozenset({OID_INS_NIR, OID_INS_NIA})

BadKeyPolicy = Literal["refuse", "warn"]
BAD_KEY_POLICIES: tuple[str, ...] = ("refuse", "warn")

_KEPT = "conservée telle que reçue"


def check_ins_answer(
    identity: InsIdentity,
    *,
    today: date,
    accepted_oids: frozenset[str],
    bad_active_key: str = "refuse",
) -> list[Problem]:
    """Every problem of one CR 00 identity: errors refuse it, warnings keep it.

    `bad_active_key` is the policy for an active key failing mod 97: "refuse" (default: a
    wrong key means a wrong or altered number) or "warn" (replaying CNDA TEST_2.08_cas2,
    whose active key fails on purpose). History keys failing mod 97 always only warn: the
    history is kept as returned (EXI REC 08) and CNDA ships such keys.
    """
    if bad_active_key not in BAD_KEY_POLICIES:
        raise ValueError(f"bad_active_key must be one of {BAD_KEY_POLICIES}")
    problems = list(check_identity_traits(identity.traits, today=today))
    active = identity.ins
    active_form = check_ins_form(active, accepted_oids=accepted_oids)
    problems.extend(active_form)
    if not any(p.code in ("ins.number", "ins.key") for p in active_form):
        problems.extend(_active_key(active, bad_active_key))
        problems.extend(_nir_against_traits(identity, problems))
    for n, entry in enumerate(identity.history, 1):
        problems.extend(_history_entry(n, entry, accepted_oids))
    return problems


def _active_key(ins: Ins, policy: str) -> list[Problem]:
    if check_matricule(ins.number, ins.key):
        return []
    tail = mask_matricule_tail(ins.matricule)
    if policy == "warn":
        return [warning("ins", "ins.key_mod97",
                        f"La clé de l'INS actif ({tail}) ne vérifie pas le modulo 97 : "
                        f"{_KEPT}.")]
    return [error("ins", "ins.key_mod97",
                  f"La clé de l'INS actif ({tail}) ne vérifie pas le modulo 97.")]


def _nir_against_traits(identity: InsIdentity, so_far: list[Problem]) -> list[Problem]:
    """Sex, birth year and birth month encoded in the active number vs the TIQ traits.

    Sex is always compared (1/3/7 → M, 2/4/8 → F): the number and the traits of one
    answer naming two sexes is an answer about two people. Year and month are refused on
    a mismatch except where the number legitimately disagrees: a temporary number (first
    digit 7/8) or a NIA (OID .9) is built from declared civil status that may be corrected
    before the NIR is assigned, and a person born abroad (place 99xxx) often has a number
    drawn from an incomplete or "lunar" foreign date; those only warn. A month code outside
    01–12 (20–42, 50–99: month unknown) is not compared.
    """
    traits = identity.traits
    ins = identity.ins
    info = describe_nir(ins.number)
    found: list[Problem] = []
    if info.sex is not None and traits.sex is not None and str(traits.sex) != str(info.sex):
        found.append(error("ins", "ins.nir_sex",
                           "Le sexe codé dans le matricule INS actif contredit le sexe des "
                           "traits."))
    if any(p.field == "birth_date" for p in so_far) or not traits.birth_date:
        return found  # no real date to compare with (already refused)
    born = date.fromisoformat(traits.birth_date)
    lenient = info.temporary or info.born_abroad or ins.oid == OID_INS_NIA
    why = ("numéro temporaire ou NIA" if info.temporary or ins.oid == OID_INS_NIA
           else "personne née à l'étranger")
    make = warning if lenient else error
    if info.birth_year != born.year % 100:
        text = "L'année de naissance codée dans le matricule INS actif diffère de celle des traits"
        found.append(make("ins", "ins.nir_year",
                          f"{text} ({why}) : {_KEPT}, à vérifier." if lenient else f"{text}."))
    if info.birth_month is not None and info.birth_month != born.month:
        text = "Le mois de naissance codé dans le matricule INS actif diffère de celui des traits"
        found.append(make("ins", "ins.nir_month",
                          f"{text} ({why}) : {_KEPT}, à vérifier." if lenient else f"{text}."))
    return found


def _history_entry(n: int, entry: InsHistoryEntry, accepted_oids: frozenset[str]) -> list[Problem]:
    ins = entry.ins
    form = check_ins_form(ins, accepted_oids=accepted_oids)
    found = [error("ins_history", p.code, f"INS historique n° {n} : {p.message}") for p in form]
    if (is_well_formed_number(ins.number) and not any(p.code == "ins.key" for p in form)
            and not check_matricule(ins.number, ins.key)):
        found.append(warning("ins_history", "ins.key_mod97",
                             f"La clé de l'INS historique n° {n} "
                             f"({mask_matricule_tail(ins.matricule)}) ne vérifie pas le "
                             f"modulo 97 : {_KEPT}."))
    bad_dates = [d for d in (entry.date_start, entry.date_end) if d is not None and not _iso(d)]
    if bad_dates:
        found.append(warning("ins_history", "ins.history_dates",
                             f"Les dates de validité de l'INS historique n° {n} ne sont pas "
                             f"des dates AAAA-MM-JJ : {_KEPT}."))
    return found


def _iso(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
