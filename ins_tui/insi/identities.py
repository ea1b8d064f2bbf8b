"""The simulator's answer table (data/insi/simulator-identities.json) and its lookup.

The table is data, not code, so a CNDA case can be added or corrected without
touching the server; its format is described in the file's `about` key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ins_tui.paths import data_file


@dataclass(frozen=True)
class Answer:
    """What the simulator must send: a CR (with the person on 00) or a fault code."""

    cr: str | None = None
    fault: str | None = None
    individu: dict | None = None
    render_prefix: str | None = None
    case: str | None = None


@dataclass(frozen=True)
class IdentityTable:
    identities: tuple[dict, ...]
    accepted_idams: frozenset[str]
    variants: frozenset[str] = field(default_factory=frozenset)

    @property
    def known_variants(self) -> tuple[str, ...]:
        """The CNDA replays the table holds (selectable with `--variant`)."""
        return tuple(sorted({i["variant"] for i in self.identities if i.get("variant")}))

    def with_variants(self, variants: set[str] | frozenset[str]) -> IdentityTable:
        """The same table answering with `variants`; an unknown name is refused (French):
        a typo would otherwise silently replay the default answer."""
        unknown = sorted(set(variants) - set(self.known_variants))
        if unknown:
            raise ValueError(
                "Cas CNDA inconnu : " + ", ".join(f"« {v} »" for v in unknown)
                + " (cas disponibles : " + ", ".join(f"« {v} »" for v in self.known_variants)
                + ")."
            )
        return IdentityTable(self.identities, self.accepted_idams, frozenset(variants))

    def _candidates(self, match) -> list[dict]:
        found = [i for i in self.identities if match(i)]
        chosen = [i for i in found if i.get("variant") in self.variants]
        return chosen or [i for i in found if not i.get("variant")]

    def traits_answer(
        self,
        birth_name: str | None,
        first_names: list[str],
        sex: str | None,
        birth_date: str | None,
        birthplace: str | None,
        *,
        qualification: bool,
    ) -> Answer:
        def same(i: dict) -> bool:
            r = i["request"]
            return (r["NomNaissance"], r["Sexe"], r["DateNaissance"]) == (
                birth_name, sex, birth_date)

        sent = " ".join(first_names)
        for identity in self._candidates(same):
            rule = identity["first_names"].get(sent)
            if rule is None:
                continue
            if birthplace and birthplace in rule.get("with_birthplace", {}):
                rule = {**rule, **rule["with_birthplace"][birthplace]}
            if qualification and "qualification" in rule:
                rule = {**rule, **rule["qualification"]}
            if rule.get("fault"):
                return Answer(fault=rule["fault"], case=identity["case"])
            cr = rule["cr"]
            individu = identity.get("individu")
            if (cr == "00" and birthplace and individu
                    and individu["TIQ"].get("LieuNaissance") != birthplace):
                cr = "01"  # a birthplace that does not match excludes the person
            return self._cr(cr, identity if cr == "00" else None, qualification)
        return self._cr("01", None, qualification)

    def vitale_answer(
        self,
        nir: str | None,
        birth_name: str | None,
        birth_date: str | None,
        *,
        qualification: bool,
    ) -> Answer:
        def same(i: dict) -> bool:
            individu = i.get("individu")
            if not individu:
                return False
            numbers = {individu["INSACTIF"]["NumIdentifiant"]} | {
                h["NumIdentifiant"] for h in individu["INSHISTO"]}
            if nir:
                return nir in numbers
            return (individu["TIQ"]["NomNaissance"], individu["TIQ"]["DateNaissance"]) == (
                birth_name, birth_date)

        found = self._candidates(same)
        if len(found) > 1:
            return self._cr("02", None, qualification)
        return self._cr("00" if found else "01", found[0] if found else None, qualification)

    @staticmethod
    def _cr(cr: str, identity: dict | None, qualification: bool) -> Answer:
        if cr == "01" and qualification:
            return Answer(fault="insi_102")  # qualification has no SNGI (contract §8)
        if identity is None:
            return Answer(cr=cr)
        return Answer(cr=cr, individu=identity["individu"],
                      render_prefix=identity.get("render_prefix"), case=identity["case"])


@cache
def _load(path: Path) -> IdentityTable:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return IdentityTable(tuple(doc["identities"]), frozenset(doc["accepted_idams"]))


def load_identities(path: Path | None = None) -> IdentityTable:
    return _load(path or data_file("insi", "simulator-identities.json"))
