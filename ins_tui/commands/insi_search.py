"""`ins-tui insi search`: one INSi traits search, the traits sent exactly as typed.

It judges the traits with the same rules as the app (domain/names.py) and refuses,
naming the character and the form that would be accepted, rather than silently fixing
them — what goes to INSi must be what the operator saw. Exit codes are stable for
scripts (docs/cli-insi.md, built in `insi_outcome.py`); the target is set up by
`insi_target.py`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ins_tui.cli import EXIT_INVALID
from ins_tui.commands.insi_outcome import (
    EXIT_FOUND,
    EXIT_NOT_FOUND,
    outcome_to_dict,
    print_json,
    problem_dict,
)
from ins_tui.commands.insi_target import SetupError, TargetClient

if TYPE_CHECKING:
    from ins_tui.insi.outcomes import InsiOutcome


def register(insi_sub: argparse._SubParsersAction) -> None:
    search = insi_sub.add_parser(
        "search", help="Rechercher un INS par les traits d'identité (envoyés tels quels)"
    )
    search.add_argument("--birth-name", required=True, help="nom de naissance (ex. ADRUN)")
    search.add_argument("--first-names", required=True,
                        help="prénoms de naissance séparés par une espace (ex. 'OLA CATARINA')")
    search.add_argument("--sex", required=True, help="F ou M")
    search.add_argument("--birth-date", required=True, help="date de naissance AAAA-MM-JJ")
    search.add_argument("--birthplace", help="code COG du lieu de naissance (5 caractères)")
    search.add_argument("--endpoint", help="adresse du service (sinon celle de la configuration)")
    search.add_argument("--ca", help="autorités de confiance du serveur (PEM)")
    search.add_argument("--p12", help="certificat de la structure (PKCS#12)")
    search.add_argument("--training", action="store_true",
                        help="interroger le simulateur de formation (lancé pour l'occasion)")
    cpx = search.add_argument_group(
        "mode CPx (carte CPS ; PIN : variable INS_TUI_CPS_PIN ou saisie)")
    cpx.add_argument("--cpx", action="store_true",
                     help="s'authentifier par la carte CPS (assertion signée) au lieu du "
                     "certificat de la structure (sinon : insi_mode de la configuration)")
    cpx.add_argument("--pkcs11-module", help="module PKCS#11 du lecteur de carte CPS")
    cpx.add_argument("--token-label", help="libellé de la carte (jeton PKCS#11)")
    cpx.add_argument("--key-label", help="libellé de la clé de signature (défaut : automatique)")
    cpx.add_argument("--signing-p12",
                     help="certificat de signature PKCS#12 au lieu d'une carte (tests)")
    cpx.add_argument("--billing-id", help="identifiant de facturation (FINESS, SIRET ou n° AM)")
    cpx.add_argument("--activity-sector", help="secteur d'activité (ex. SA07)")
    cpx.add_argument("--specialty-code", help="code spécialité (obligatoire pour un médecin)")
    search.add_argument("--json", action="store_true",
                        help="sortie JSON (schéma : docs/cli-insi.md)")
    search.set_defaults(func=run_search)


def run_search(args: argparse.Namespace) -> int:
    from ins_tui.domain.model import Sex, Traits
    from ins_tui.domain.problems import error
    from ins_tui.insi.client import check_request_traits

    sex = args.sex if args.sex in ("F", "M") else None
    traits = Traits(birth_name=args.birth_name, first_names=args.first_names,
                    sex=Sex(sex) if sex else None, birth_date=args.birth_date,
                    birthplace=args.birthplace)
    problems = check_request_traits(traits, args.birthplace)
    if sex is None:
        problems = [p for p in problems if p.field != "sex"]
        problems.append(error("sex", "sex.value",
                              f"Sexe « {args.sex} » : F ou M attendu (en majuscule)."))
    if problems:
        return _invalid(args, [problem_dict(p) for p in problems])
    try:
        with TargetClient(args) as (client, cleanup):
            try:
                outcome = client.search_traits(traits, birthplace=args.birthplace)
            finally:
                cleanup()
    except SetupError as exc:
        return _invalid(args, [{"field": exc.field, "code": "setup", "message": str(exc)}])
    return _report(args, outcome)


def _invalid(args: argparse.Namespace, problems: list[dict]) -> int:
    if args.json:
        print_json({"outcome": "invalid", "exit_code": EXIT_INVALID,
                    "message": "Saisie refusée : rien n'a été envoyé à l'INSi.",
                    "error_kind": "saisie_invalide", "problems": problems, "identity": None,
                    "warnings": [], "fault": None, "attempts": []})
    else:
        print("Saisie refusée, rien n'a été envoyé à l'INSi :", file=sys.stderr)
        for p in problems:
            print(f"  - {p['message']}", file=sys.stderr)
    return EXIT_INVALID


def _report(args: argparse.Namespace, outcome: InsiOutcome) -> int:
    doc = outcome_to_dict(outcome)
    if args.json:
        print_json(doc)
        return doc["exit_code"]
    stream = sys.stdout if doc["exit_code"] in (EXIT_FOUND, EXIT_NOT_FOUND) else sys.stderr
    print(doc["message"], file=stream)
    ident = doc["identity"]
    incoherent = doc["error_kind"] == "reponse_incoherente"
    if ident:
        t = {k: _shown(v) for k, v in ident["traits"].items()}
        if incoherent:
            print("  Réponse reçue (non retenue) :", file=stream)
        print(f"  INS : {ident['ins']['matricule']}  OID {_shown(ident['ins']['oid'])}",
              file=stream)
        print(f"  Nom de naissance : {t['birth_name']}", file=stream)
        print(f"  Prénoms : {t['first_names']}  (premier : {t['first_name']})", file=stream)
        print(f"  Sexe : {t['sex']}  Né(e) le : {t['birth_date']}  Lieu : {t['birthplace']}",
              file=stream)
        for h in ident["history"]:
            print(f"  Historique : {h['matricule']} OID {_shown(h['oid'])} "
                  f"du {h.get('date_start') or '?'} au {h.get('date_end') or '?'}", file=stream)
        for w in doc["warnings"]:
            print(f"  Attention : {w}", file=stream)
    for p in [] if incoherent else doc["problems"]:
        print(f"  - {p['message']}", file=stream)
    print(f"  ({len(doc['attempts'])} requête(s) envoyée(s))", file=stream)
    return doc["exit_code"]


def _shown(value: object) -> object:
    """A received value as printed: an absurd length is cut (a hostile answer may carry a
    50,000-character name), saying how long it was."""
    if isinstance(value, str) and len(value) > 120:
        return f"{value[:120]}… ({len(value)} caractères)"
    return value
