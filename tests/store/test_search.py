"""Search correctness: prefixes, typed accents and separators, first names, dates, caps."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ins_tui.domain.model import Sex
from ins_tui.store import Store
from ins_tui.store.demo_data import generate
from ins_tui.store.search_key import stored_key

from .helpers import traits

PEOPLE = [
    ("DUPONT", "JEAN PAUL", Sex.M, "1980-05-01", None),
    ("DUPONT", "MARIE", Sex.F, "1982-06-02", "MARTIN"),
    ("DUPONT", "JEAN-PIERRE", Sex.M, "1950-01-01", None),
    ("DUPOND", "ALICE", Sex.F, "1990-01-01", None),
    ("DURAND", "JEAN", Sex.M, "1980-05-01", None),
    ("LEFEVRE", "CHLOE", Sex.F, "2001-02-03", None),
    ("DE LA FONTAINE", "JEAN", Sex.M, "1944-04-04", None),
    ("D'ALMEIDA", "ROSE", Sex.F, "1977-07-07", None),
    ("N'DIAYE", "AMINATA", Sex.F, "1999-09-09", None),
    ("JEANNIN", "PAUL", Sex.M, "1960-01-01", None),
    ("LE BRETON--GUILLOU", "YANN", Sex.M, "1988-08-08", None),
]


@pytest.fixture
def people(store: Store) -> dict[str, int]:
    ids = {}
    for name, first, sex, born, used in PEOPLE:
        pid = store.create_patient(traits(name, first, sex, born, None, used_name=used),
                                   actor="accueil")
        ids[f"{name}/{first}"] = pid
    return ids


def names(results) -> list[str]:
    return [f"{r.traits.birth_name}/{r.traits.first_names}" for r in results]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dup", ["DUPOND/ALICE", "DUPONT/JEAN PAUL", "DUPONT/JEAN-PIERRE", "DUPONT/MARIE"]),
        ("DUPONT", ["DUPONT/JEAN PAUL", "DUPONT/JEAN-PIERRE", "DUPONT/MARIE"]),
        ("dupont je", ["DUPONT/JEAN PAUL", "DUPONT/JEAN-PIERRE"]),
        ("dupont jean-p", ["DUPONT/JEAN-PIERRE"]),
        ("Dupont, Marie", ["DUPONT/MARIE"]),
        ("lefèvre", ["LEFEVRE/CHLOE"]),
        ("LÉFÈ", ["LEFEVRE/CHLOE"]),
        ("de la f", ["DE LA FONTAINE/JEAN"]),
        ("delafon", ["DE LA FONTAINE/JEAN"]),
        ("d'alm", ["D'ALMEIDA/ROSE"]),
        ("d’alm", ["D'ALMEIDA/ROSE"]),
        ("dalmeida rose", ["D'ALMEIDA/ROSE"]),
        ("ndiaye", ["N'DIAYE/AMINATA"]),
        ("le breton guillou", ["LE BRETON--GUILLOU/YANN"]),
        ("martin", ["DUPONT/MARIE"]),  # used name
        ("jean", ["DE LA FONTAINE/JEAN", "DUPONT/JEAN PAUL", "DUPONT/JEAN-PIERRE",
                  "DURAND/JEAN", "JEANNIN/PAUL"]),  # a single word may be a first name
        ("dupontx", []),
        ("", []),
        ("  - ' ", []),
    ],
)
def test_search(store: Store, people, typed: str, expected: list[str]) -> None:
    assert names(store.search(typed)) == expected


def test_birth_date_narrows(store: Store, people) -> None:
    assert names(store.search("du", birth_date="1980-05-01")) == ["DUPONT/JEAN PAUL",
                                                                  "DURAND/JEAN"]
    assert names(store.search("", birth_date="1944-04-04")) == ["DE LA FONTAINE/JEAN"]
    assert store.search("lef", birth_date="1980-05-01") == []


def test_results_are_capped_and_ordered(store: Store) -> None:
    with store.action("accueil", "lot"):
        for i in range(70):
            first = f"{chr(65 + i % 26)}NNE"
            store.create_patient(traits("MARTIN", first, birth_date="2000-01-01"))
    assert len(store.search("mar")) == 50
    ten = store.search("mar", limit=10)
    assert len(ten) == 10
    firsts = [r.traits.first_names for r in ten]
    assert firsts == sorted(firsts)
    assert len(store.search("mar", limit=10_000)) == 70  # under the hard cap of 500


def test_exact_lookups(store: Store, people) -> None:
    from .helpers import published_test_identity

    pid = people["DUPONT/MARIE"]
    assert [r.id for r in store.find_by_traits("DUPONT", "MARIE", "1982-06-02")] == [pid]
    assert store.find_by_traits("DUPONT", "MARIE", "1982-06-03") == []
    assert [r.id for r in store.find_by_traits("DE LA FONTAINE", "JEAN", None)] == [
        people["DE LA FONTAINE/JEAN"]]
    store.set_nir(pid, "277076322082910", actor="accueil")  # published test NIR
    assert [r.id for r in store.find_by_nir("2770763220829")] == [pid]
    assert [r.id for r in store.find_by_nir("2 77 07 63 220 829 10")] == [pid]
    other = people["DURAND/JEAN"]
    store.set_ins(other, published_test_identity(), import_traits=False, actor="accueil")
    assert [r.id for r in store.find_by_matricule("109076322083489")] == [other]
    assert [r.id for r in store.find_by_nir("1090763220834")] == [other]
    assert store.find_by_matricule("109076322083488") == []


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    path: Path = tmp_path_factory.mktemp("search") / "demo.sqlite"
    store = Store.open(path)
    generate(store, 3000, seed=7)
    rows = store.conn.execute(
        "SELECT id, birth_name, used_name, first_name FROM patients").fetchall()
    store.oracle = [(r[0], stored_key(r[1]), stored_key(r[2]), stored_key(r[3])) for r in rows]
    yield store
    store.close()


@settings(max_examples=60, deadline=None)
@given(pick=st.integers(min_value=0, max_value=2999), cut=st.integers(min_value=1, max_value=8),
       lower=st.booleans())
def test_prefix_search_matches_a_brute_force_oracle(demo_store: Store, pick: int, cut: int,
                                                    lower: bool) -> None:
    """Against a scan in Python: every patient whose name key starts with the prefix."""
    _pid, name_key, _used, _first = demo_store.oracle[pick]
    prefix = name_key[:cut]
    typed = prefix.lower() if lower else prefix
    expected = {pid for pid, n, u, f in demo_store.oracle
                if n.startswith(prefix) or (u and u.startswith(prefix)) or f.startswith(prefix)}
    found = demo_store.search(typed, limit=500)
    if len(expected) <= 500:
        assert {r.id for r in found} == expected
    else:
        assert len(found) == 500 and {r.id for r in found} <= expected


def test_every_search_query_walks_an_index(store: Store, people) -> None:
    """A keystroke must never scan the table (the plan, not a timing, is asserted)."""
    plans: list[str] = []
    store.conn.set_trace_callback(None)
    original = store._read

    def explaining(sql: str, params=()):
        if sql.lstrip().upper().startswith("SELECT * FROM PATIENTS"):
            plans.extend(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        return original(sql, params)

    store._read = explaining
    for typed, born in (("d", None), ("dupont je", None), ("jean", "1980-05-01"),
                        ("", "1980-05-01"), ("de la fontaine jean", None)):
        store.search(typed, birth_date=born)
    store.find_by_nir("1090763220834")
    store.find_by_matricule("109076322083489")
    store.find_by_traits("DUPONT", "MARIE", "1982-06-02")
    assert plans
    assert not [p for p in plans if p.startswith("SCAN")], plans
