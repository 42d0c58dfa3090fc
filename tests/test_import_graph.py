"""No import cycles among mockserver's modules.

Every `import` counts, at module level, inside a function or under TYPE_CHECKING: a cycle
hidden behind a late import is still two modules that cannot be read (or moved) apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mockserver

PACKAGE = Path(mockserver.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The mockserver modules `name` imports (`from a import b` names a.b if it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return (found & known) - {name}


def import_cycles() -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                cycles.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_mockserver_has_no_import_cycles():
    assert [sorted(cycle) for cycle in import_cycles()] == []


def test_the_walk_sees_an_import_behind_type_checking(tmp_path):
    """The check itself: admin <-> app was such a cycle (admin named Runtime from app)."""
    modules = _modules()
    admin = _imports("mockserver.admin.app", modules["mockserver.admin.app"], set(modules))
    assert "mockserver.runtime" in admin and "mockserver.app" not in admin
    probe = tmp_path / "probe.py"
    probe.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import app\n")
    assert _imports("mockserver.probe", probe, {"mockserver.app"}) == {"mockserver.app"}
