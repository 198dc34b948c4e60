"""The package's imports form no cycle, counting those inside functions (only imports for type
checking, which never run, are left out); and tests import their helpers one way."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "auditor"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _run_time_nodes(tree: ast.AST):
    """Every node, except the bodies of `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_run_time_nodes(child)])
            continue
        yield node
        yield from _run_time_nodes(node)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports when it runs, wherever in the file the import is."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)           # a module named for importlib
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(path): _imports(path, modules) for path in paths}


def test_the_graph_sees_the_imports_it_should():
    graph = import_graph()
    assert "auditor.checks" in graph["auditor.pipeline"]
    assert "auditor.checks.logo" in graph["auditor.checks"]
    assert "auditor.identity.logos" in graph["auditor.checks.logo"]
    assert "auditor.svg" in graph["auditor.decoding"]       # imported inside a function
    assert "auditor.result" not in graph["auditor.report"]  # only for type checking


def test_no_import_cycle():
    try:
        graphlib.TopologicalSorter(import_graph()).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError("import cycle: " + " -> ".join(exc.args[1])) from None


def test_tests_import_their_helpers_one_way():
    """`from conftest import …`, never `tests.conftest`: two names would load two copies (two SiteServer classes)."""
    suite = [p for p in sorted((ROOT / "tests").glob("*.py")) if p.name.startswith("test_")
             or p.name == "conftest.py" or p.name.endswith("_support.py")]
    two_ways = [path.name for path in suite
                if any(isinstance(node, (ast.Import, ast.ImportFrom))
                       and any(name.split(".")[0] == "tests" for name in _names(node))
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    assert two_ways == []


def _names(node: ast.Import | ast.ImportFrom) -> list[str]:
    return [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
