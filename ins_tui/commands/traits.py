"""`ins-tui traits check`: run the desk's trait rules from a shell.

Support staff and scripts can see exactly what the desk would store for a set
of typed traits — the normalised values, the errors that block and the warnings
that do not — through the same `check_traits` the screens use.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from ins_tui.cli import EXIT_INVALID, EXIT_OK
from ins_tui.domain.model import TRAIT_LABELS_FR

if TYPE_CHECKING:
    from ins_tui.domain.problems import Problem
    from ins_tui.refdata import CogTables

_OPTIONS = (
    ("--birth-name", "birth_name", "nom de naissance"),
    ("--first-names", "first_names", "liste des prénoms de naissance (séparés par des espaces)"),
    ("--first-name", "first_name", "premier prénom de naissance (si différent du 1er de la liste)"),
    ("--sex", "sex", "sexe : F ou M"),
    ("--birth-date", "birth_date", "date de naissance JJ/MM/AAAA (00 si jour ou mois inconnu)"),
    ("--birthplace", "birthplace", "code COG du lieu de naissance (99xxx à l'étranger)"),
    ("--used-name", "used_name", "nom utilisé (jamais déduit du nom de naissance)"),
    ("--used-first-name", "used_first_name", "prénom utilisé (jamais déduit)"),
)

def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("traits", help="Vérifier et normaliser des traits d'identité")
    actions = parser.add_subparsers(dest="traits_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="Afficher les traits normalisés, les erreurs et les avertissements",
        description="Sortie 0 : traits valides ; 2 : traits invalides.",
    )
    for flag, dest, help_fr in _OPTIONS:
        # Not `required`: a missing trait is reported in French by the rules themselves.
        check.add_argument(flag, dest=dest, default="", metavar="VALEUR", help=help_fr)
    check.add_argument("--json", action="store_true", help="sortie JSON")
    check.set_defaults(func=run_check)


def _cog() -> CogTables | None:
    try:
        from ins_tui.refdata import load_cog

        return load_cog()
    except OSError:
        return None  # tables missing from an odd install: form checks still apply


def run_check(args: argparse.Namespace) -> int:
    """Same `check_traits` as the screens, so the command never disagrees with the desk."""
    from ins_tui.domain.dates import format_fr
    from ins_tui.domain.traits import TraitsInput, check_traits

    data = TraitsInput(**{dest: getattr(args, dest) or "" for _, dest, _ in _OPTIONS})
    cog = _cog()
    result = check_traits(data, cog=cog)
    place_name = (
        cog.name_of(result.traits.birthplace)
        if cog and result.traits and (result.traits.birthplace)
        else None
    )
    if args.json:
        traits = None
        if result.traits is not None:
            traits = asdict(result.traits)
            traits["sex"] = str(result.traits.sex)
            traits["first_first_name"] = result.traits.first_first_name
        payload = {
            "valide": result.ok,
            "traits": traits,
            "lieu_de_naissance": place_name,
            "date_incomplete": bool(result.birth_date and result.birth_date.incomplete),
            "erreurs": [_problem(p) for p in result.errors],
            "avertissements": [_problem(p) for p in result.warnings],
            "modifications": [
                {"champ": f, "saisi": typed, "normalise": value}
                for f, typed, value in result.changes
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK if result.ok else EXIT_INVALID
    if result.traits is not None:
        print("Traits normalisés :")
        t = result.traits
        values = {
            "birth_name": t.birth_name,
            "first_names": t.first_names,
            "first_name": t.first_first_name,
            "sex": str(t.sex),
            "birth_date": format_fr(t.birth_date)
            + (" (date incomplète complétée)" if result.birth_date.incomplete else ""),
            "birthplace": (t.birthplace or "") + (f" ({place_name})" if place_name else ""),
            "used_name": t.used_name or "",
            "used_first_name": t.used_first_name or "",
        }
        for key, value in values.items():
            if value:
                print(f"  {TRAIT_LABELS_FR[key]} : {value}")
    if result.errors:
        print("Erreurs :")
        for p in result.errors:
            print(f"  - {TRAIT_LABELS_FR.get(p.field, p.field)} : {p.message}")
    if result.warnings:
        print("Avertissements :")
        for p in result.warnings:
            print(f"  - {TRAIT_LABELS_FR.get(p.field, p.field)} : {p.message}")
    print("Traits valides." if result.ok else "Traits invalides : rien n'a été enregistré.")
    return EXIT_OK if result.ok else EXIT_INVALID


def _problem(p: Problem) -> dict[str, str]:
    return {"champ": p.field, "code": p.code, "message": p.message}
