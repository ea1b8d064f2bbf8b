"""The package's shape: no import circle, layers pointing one way, adapters apart, small
modules — checked from the source, against the tables of docs/architecture.md.

Tried: the real package (must be clean), and a small fixture package written here into
which a back-import is added deliberately — at top level, inside a function, under
`TYPE_CHECKING`, as a relative import — to show each checker catches it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.import_graph import (
    cycles,
    edges,
    layer_violations,
    module_names,
    rank_of,
    sibling_imports,
)

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
ADAPTERS = ("insi", "card", "fhir", "hl7", "label")
MAX_LINES = 400
# Files that are data rather than code may be longer (none today; name them here).
LONG_ALLOWED: frozenset[str] = frozenset()


def documented_ranks(table: str) -> dict[str, int]:
    """`{dotted path under ins_tui: rank}` from the table after `<!-- layers:<table> -->`."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    marker = f"<!-- layers:{table} -->"
    assert marker in text, f"docs/architecture.md has lost its {marker} table"
    ranks: dict[str, int] = {}
    for line in text.split(marker, 1)[1].lstrip().splitlines():
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not cells[0].isdigit():
            continue  # header and separator rows
        for name in re.findall(r"`([\w.]+)`", cells[1]):
            ranks[name] = int(cells[0])
    assert ranks, f"no rank read from the {table} table"
    return ranks


def _shown(bad: list) -> str:
    return "\n".join(f"{e.source} (line {e.line}) imports {e.target}" for e in bad)


# -- the real package -------------------------------------------------------------------
def test_no_import_circle_in_ins_tui() -> None:
    found = cycles(edges(ROOT, "ins_tui"))
    assert found == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_every_package_has_a_documented_rank() -> None:
    ranks = documented_ranks("package")
    top = {name.split(".")[1] for name in module_names(ROOT, "ins_tui") if "." in name}
    assert top - set(ranks) == set(), "add these to docs/architecture.md's layer table"


def test_packages_import_only_their_rank_or_lower() -> None:
    bad = layer_violations(edges(ROOT, "ins_tui"), documented_ranks("package"), "ins_tui")
    assert bad == [], "imports pointing up the layers:\n" + _shown(bad)


def test_tui_modules_import_only_their_rank_or_lower() -> None:
    ranks = documented_ranks("tui")
    tui = [e for e in edges(ROOT, "ins_tui") if e.source.startswith("ins_tui.tui.")]
    unranked = sorted({e.source for e in tui if rank_of(e.source, ranks, "ins_tui") is None})
    assert unranked == [], "give these a rank in the tui table: " + ", ".join(unranked)
    bad = layer_violations(tui, ranks, "ins_tui")
    assert bad == [], "tui imports pointing up:\n" + _shown(bad)


def test_adapters_do_not_import_one_another() -> None:
    bad = sibling_imports(edges(ROOT, "ins_tui"), ADAPTERS, "ins_tui")
    assert bad == [], "adapters importing each other:\n" + _shown(bad)


def test_no_module_over_the_size_one_idea_fits_in() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "ins_tui").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and str(path.relative_to(ROOT)) not in LONG_ALLOWED
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


# -- the checkers catch what they must, on a fixture package -----------------------------
FIXTURE = {
    "pkg/__init__.py": "",
    "pkg/domain/__init__.py": "",
    "pkg/domain/rules.py": "def rule():\n    return 1\n",
    "pkg/store/__init__.py": "",
    "pkg/store/db.py": "from pkg.domain.rules import rule\n",
    "pkg/card/__init__.py": "",
    "pkg/card/reader.py": "from pkg.domain import rules\n",
    "pkg/insi/__init__.py": "",
    "pkg/insi/client.py": "from ..store import db\n",
    "pkg/desk/__init__.py": "",
    "pkg/desk/flow.py": "import pkg.store.db\nfrom pkg.insi import client\n",
}
FIXTURE_RANKS = {"domain": 0, "store": 1, "card": 2, "insi": 2, "desk": 3}
BACK_IMPORTS = {
    "top level": ("pkg/domain/rules.py", "from pkg.desk import flow\n"),
    "inside a function": ("pkg/domain/rules.py",
                          "def later():\n    from pkg.desk.flow import x\n    return x\n"),
    "under TYPE_CHECKING": ("pkg/store/db.py",
                            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                            "    from pkg.desk.flow import Thing\n"),
    "relative": ("pkg/domain/rules.py", "from ..desk import flow\n"),
}


def _write(root: Path, extra: tuple[str, str] | None = None) -> Path:
    for name, text in FIXTURE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + (extra[1] if extra and extra[0] == name else ""))
    return root


def test_the_fixture_package_is_clean_as_written(tmp_path: Path) -> None:
    graph = edges(_write(tmp_path), "pkg")
    assert {(e.source, e.target) for e in graph} >= {
        ("pkg.store.db", "pkg.domain.rules"), ("pkg.insi.client", "pkg.store.db"),
        ("pkg.desk.flow", "pkg.store.db"), ("pkg.desk.flow", "pkg.insi.client"),
        ("pkg.card.reader", "pkg.domain.rules")}
    assert cycles(graph) == []
    assert layer_violations(graph, FIXTURE_RANKS, "pkg") == []
    assert sibling_imports(graph, ("card", "insi"), "pkg") == []


@pytest.mark.parametrize("how", sorted(BACK_IMPORTS))
def test_a_deliberate_back_import_is_caught(tmp_path: Path, how: str) -> None:
    graph = edges(_write(tmp_path, BACK_IMPORTS[how]), "pkg")
    assert cycles(graph), f"a back-import ({how}) closes a circle the checker must see"
    bad = layer_violations(graph, FIXTURE_RANKS, "pkg")
    assert [e.target for e in bad] == ["pkg.desk.flow"], bad


def test_adapters_importing_each_other_are_caught(tmp_path: Path) -> None:
    graph = edges(_write(tmp_path, ("pkg/card/reader.py", "from pkg.insi import client\n")),
                  "pkg")
    bad = sibling_imports(graph, ("card", "insi"), "pkg")
    assert [(e.source, e.target) for e in bad] == [("pkg.card.reader", "pkg.insi.client")]
    assert cycles(graph) == []  # no circle, no layer broken: only this checker sees it
    assert layer_violations(graph, FIXTURE_RANKS, "pkg") == []
