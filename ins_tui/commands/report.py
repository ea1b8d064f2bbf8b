"""`ins-tui report`: the qualification rate of a period, for the back office.

The counting is `desk/report.py`'s (the screen shows the same numbers); this module only
parses the period and lays the report out in French for 80 columns, or as one JSON object
with stable English keys (`--json`, docs/interfaces.md).

Exit codes: 0 report written; 2 invalid input (bad date, empty or too long period, no
such database), nothing else done.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK
from ins_tui.commands.export_fhir import _since as parse_date  # the CLI's one date parser

WIDTH = 80
_NAME_WIDTH = 38


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report",
        help="Taux de qualification INS d'une période (indicateur Ségur)",
        description="Passages, patients distincts, part de chaque statut, appels INSi et "
                    "patients vus non qualifiés avec le motif. Par défaut : le mois en cours.",
    )
    parser.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                        help="fichier SQLite du cabinet")
    parser.add_argument("--from", dest="first", type=parse_date, metavar="DATE",
                        help="premier jour compté (AAAA-MM-JJ ou JJ/MM/AAAA)")
    parser.add_argument("--to", dest="last", type=parse_date, metavar="DATE",
                        help="dernier jour compté, inclus (AAAA-MM-JJ ou JJ/MM/AAAA)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """The period is checked before the file is opened: bad input touches nothing."""
    from ins_tui.config import ConfigError, load_config
    from ins_tui.desk.ports import SystemClock
    from ins_tui.desk.report import build_report
    from ins_tui.desk.report_period import Period, PeriodError
    from ins_tui.store import Store, StoreError

    try:
        config = load_config()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    clock = SystemClock(config.zone())
    try:
        period = Period.between(args.first, args.last, today=clock.now().date())
    except PeriodError as exc:
        print(exc.message_fr, file=sys.stderr)
        return EXIT_INVALID
    if not args.db.is_file():
        print(f"Base introuvable : {args.db}", file=sys.stderr)
        return EXIT_INVALID
    try:
        with Store.open(args.db, create=False, clock=clock.now,
                        key_path=config.journal_key) as store:
            report = build_report(store, period)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print("\n".join(text_lines(report)))
    return EXIT_OK


def _row(label: str, value: object, note: str = "") -> str:
    """A label, its count right-aligned in a fixed column, then a short note."""
    line = f"{label:<34}{value!s:>8}"
    return f"{line}   {note}" if note else line


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def text_lines(report: Any) -> list[str]:
    """The French report, no line longer than 80 columns (tests check it)."""
    from ins_tui.desk.base import status_label
    from ins_tui.desk.report import STATUS_ORDER, Outcome, Reason, percent_fr
    from ins_tui.tui.format import STATUS_SYMBOL, date_fr, person_name

    period = report.period
    lines = [_cut(f"Taux de qualification INS — {period.label_fr} ({period.span_fr})", WIDTH),
             "Statut de chaque patient tel qu'il était à la fin de la période.", ""]
    lines.append(_row("Passages", report.visits))
    lines.append(_row("Patients distincts", report.patients))
    for status in STATUS_ORDER:
        label = f"  {STATUS_SYMBOL[status.value]} {status.value:<6}{status_label(status)}"
        lines.append(_row(label, report.statuses.get(status.value, 0),
                          percent_fr(report.share(status))))
    lines.append(_row("Part QUAL (indicateur Ségur)", percent_fr(report.qualified_share),
                      f"{report.qualified} sur {report.patients} patients"))
    if report.missing_records:
        lines.append(f"({report.missing_records} passage(s) d'un patient dont la fiche "
                     "n'existe plus : non comptés.)")
    insi = report.insi
    lines += ["", _row("Recherches INSi", insi.searches,
                       f"{insi.exchanges} requête(s) envoyée(s)")]
    for outcome in Outcome:
        lines.append(_row(f"  {outcome.label_fr}", insi.outcomes.get(outcome.value, 0)))
    lines.append(f"Pannes : {insi.faults} (sans réponse {insi.faults_no_answer}, service "
                 f"indisponible {insi.faults_unavailable}, réponse inexploitable "
                 f"{insi.faults_malformed})")
    lines += ["", f"Patients vus non qualifiés : {report.not_qualified_total}"]
    by_reason: dict[Any, list[Any]] = {}
    for item in report.not_qualified:
        by_reason.setdefault(item.reason, []).append(item)
    for reason in Reason:
        items = by_reason.get(reason)
        if not items:
            continue
        lines.append(_cut(f"  {reason.label_fr[:1].upper()}{reason.label_fr[1:]} — "
                          f"{report.reasons.get(reason.value, len(items))}", WIDTH))
        for item in items:
            name = person_name(item.birth_name, item.first_name, item.used_name)
            lines.append(f"    n° {item.patient_id:<7} {_cut(name, _NAME_WIDTH):<{_NAME_WIDTH}}"
                         f" {date_fr(item.birth_date):<10}  "
                         f"{STATUS_SYMBOL[item.status.value]} {item.status.value}")
    if report.truncated:
        lines.append(f"  … liste limitée aux {len(report.not_qualified)} premiers "
                     f"(sur {report.not_qualified_total}).")
    if not report.not_qualified_total:
        lines.append("  Aucun : tous les patients vus ont une identité qualifiée."
                     if report.patients else "  Aucun patient vu sur la période.")
    return lines
