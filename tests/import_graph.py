"""The import graph of a package, read from its source (no import is executed).

Why from the source: a cycle hidden behind a function-level import or `TYPE_CHECKING` is
still a knot a reader must untie, and it turns into a real ImportError the day someone
moves the import to the top. So every import statement counts, wherever it sits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    line: int


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file, for every module of `package` found under `root`."""
    names: dict[str, Path] = {}
    base = root / package
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported dotted name lands in (longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def edges(root: Path, package: str) -> list[Edge]:
    """Every import of a project module by a project module, anywhere in the file."""
    modules = module_names(root, package)
    found: list[Edge] = []
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    prefix = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from pkg import mod` imports pkg.mod; `from mod import name`, mod.
                targets = [f"{prefix}.{alias.name}" for alias in node.names] or [prefix]
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved is not None and resolved != name:
                    found.append(Edge(name, resolved, node.lineno))
    return found


def cycles(graph_edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    graph: dict[str, set[str]] = {}
    for e in graph_edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def rank_of(module: str, layers: dict[str, int], package: str) -> int | None:
    """The rank of the longest `layers` key that `module` falls in (keys are dotted paths
    under `package`: "domain", "tui.screens"), or None when no key covers it."""
    rest = module.split(".")[1:] if module.startswith(package + ".") else []
    while rest:
        found = layers.get(".".join(rest))
        if found is not None:
            return found
        rest.pop()
    return None


def layer_violations(graph_edges: Iterable[Edge], layers: dict[str, int],
                     package: str) -> list[Edge]:
    """Edges from a module to a module of a *higher* layer (`layers`: dotted path under
    `package` -> rank; the longest matching path decides).

    Modules no key covers are not judged.
    """
    bad = []
    for e in graph_edges:
        src, dst = rank_of(e.source, layers, package), rank_of(e.target, layers, package)
        if src is not None and dst is not None and dst > src:
            bad.append(e)
    return bad


def sibling_imports(graph_edges: Iterable[Edge], siblings: Iterable[str],
                    package: str) -> list[Edge]:
    """Edges between two different packages of `siblings` (adapters that must stay
    independent of one another: each can be replaced without touching the others)."""
    names = set(siblings)

    def top(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == package else None

    return [e for e in graph_edges
            if top(e.source) in names and top(e.target) in names
            and top(e.source) != top(e.target)]
