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


ROOT = PACKAGE.parent
# The suite's one module that may import the mock: the fixture's embedded mock (used only when
# no --base-url is given). Everything else judges the mock from the client side.
EMBEDDED_MOCK = ROOT / "contract_tests" / "inprocess.py"


def _imported_names(path: Path) -> set[str]:
    """Every module name `path` imports, at any depth of the file (functions, TYPE_CHECKING)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def _mock_imports(paths: list[Path]) -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_names(path) if name.split(".")[0] == "mockserver"
        )
        for path in paths
        if any(name.split(".")[0] == "mockserver" for name in _imported_names(path))
    }


def test_the_client_side_imports_nothing_of_the_mock():
    """The judge does not import the defendant: the client package, the contract suite (but
    its embedded-mock module) and the Locust profiles' shared module and SpotDraft users."""
    client = sorted((ROOT / "spotcheck" / "client").rglob("*.py"))
    suite = sorted((ROOT / "contract_tests").rglob("*.py"))
    load = [ROOT / "load" / "common.py", ROOT / "load" / "locustfile.py"]
    assert client and suite
    checked = [*client, *[p for p in suite if p != EMBEDDED_MOCK], *load]
    checked.append(ROOT / "spotcheck" / "__init__.py")
    assert _mock_imports(checked) == {}
    assert "mockserver.app" in _imported_names(EMBEDDED_MOCK), "the exception is still needed"


def test_the_mock_imports_neither_the_suite_nor_locust():
    imports = {name for path in PACKAGE.rglob("*.py") for name in _imported_names(path)}
    assert not {name for name in imports if name.split(".")[0] in ("contract_tests", "locust")}


def test_the_walk_sees_a_late_import_of_the_mock(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from mockserver.spec import load_schema\n    import mockserver\n"
    )
    assert _imported_names(probe) == {"mockserver.spec", "mockserver"}


def test_loading_the_suite_loads_no_module_of_the_mock():
    """Transitively too: a fresh interpreter importing the suite's modules (but the embedded
    mock's) and the whole client package has no `mockserver` module loaded."""
    import subprocess
    import sys

    modules = [
        f"contract_tests.{path.stem}"
        for path in sorted((ROOT / "contract_tests").glob("*.py"))
        if path not in (EMBEDDED_MOCK, ROOT / "contract_tests" / "conftest.py")
    ]
    modules += [
        f"spotcheck.client.{p.stem}" for p in sorted((ROOT / "spotcheck/client").glob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mockserver'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
