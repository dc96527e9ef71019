"""No import cycles between the modules of dvk_xl.

The graph is built with ``ast`` from the source: every ``from . import x`` / ``from .x import y``
and ``import dvk_xl.x``, at module level and inside functions (a lazy import inside a function is
still a dependency, only a hidden one). Imports under ``if TYPE_CHECKING:`` are left out: they are
never executed, they only name types for the type checker.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dvk_xl

PACKAGE = Path(dvk_xl.__file__).parent


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:``."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                skipped.update(id(n) for n in ast.walk(statement))
    return skipped


def module_name(path: Path) -> str:
    """``master/book.py`` -> ``master.book``; a package's ``__init__.py`` -> the package's name."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str], name: str | None = None) -> set[str]:
    """The modules of ``modules`` (dotted names under dvk_xl) that module ``name`` at ``path`` imports."""
    name = path.stem if name is None else name
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    targets: list[str] = []  # dotted names under dvk_xl, maybe naming a function or a class at the end
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                base_name = ".".join(base + ([node.module] if node.module else []))
            elif node.module == "dvk_xl" or (node.module or "").startswith("dvk_xl."):
                base_name = node.module.removeprefix("dvk_xl").removeprefix(".")
            else:
                continue
            targets += [f"{base_name}.{alias.name}".lstrip(".") for alias in node.names]
        elif isinstance(node, ast.Import):
            targets += [a.name.removeprefix("dvk_xl.") for a in node.names if a.name.startswith("dvk_xl.")]
    found: set[str] = set()
    for target in targets:  # the longest prefix that is a module: "core.text.fold" -> "core.text"
        parts = target.split(".")
        for i in range(len(parts), 0, -1):
            if (prefix := ".".join(parts[:i])) in modules:
                found.add(prefix)
                break
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.glob("**/*.py"))
    modules = {module_name(p) for p in paths} - {""}
    return {module_name(p): imports_of(p, modules, module_name(p)) for p in paths if module_name(p)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if colour.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in colour and (cycle := visit(target)):
                return cycle
        stack.pop()
        colour[node] = 2
        return None

    for node in sorted(graph):
        if node not in colour and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking(tmp_path):
    source = tmp_path / "a.py"
    source.write_text("from typing import TYPE_CHECKING\nfrom . import b\n"
                      "if TYPE_CHECKING:\n    from .c import C\n"
                      "def f():\n    from .d import g\n    import dvk_xl.e\n")
    assert imports_of(source, {"a", "b", "c", "d", "e"}) == {"b", "d", "e"}


def test_find_cycle_names_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_resolves_imports_across_subpackages(tmp_path):
    source = tmp_path / "book.py"
    source.write_text("from ..core import text\nfrom ..workbook.api import Workbook\nfrom . import reconcile\n"
                      "from .. import __version__\ndef f():\n    from dvk_xl.spec import forms\n")
    modules = {"core", "core.text", "workbook", "workbook.api", "master", "master.reconcile", "spec", "spec.forms"}
    assert imports_of(source, modules, "master.book") == {"core.text", "workbook.api", "master.reconcile", "spec.forms"}


def test_dvk_xl_has_no_import_cycle():
    graph = import_graph()
    assert "workbook.api" in graph and "workbook.xlsx_patch" in graph["workbook.api"]  # the graph was really built
    assert "spec.forms" in graph["master.book"] and len(graph) > 50  # ... across every subpackage
    cycle = find_cycle(graph)
    assert cycle is None, "vòng import: " + " -> ".join(cycle or [])
