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


def imports_of(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module and node.module.startswith("dvk_xl."):
                found.add(node.module.split(".")[1])
            elif node.level == 0 and node.module == "dvk_xl":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("dvk_xl."))
    return (found & modules) - {path.stem}


def import_graph() -> dict[str, set[str]]:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    return {p.stem: imports_of(p, modules) for p in sorted(PACKAGE.glob("*.py"))}


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


def test_dvk_xl_has_no_import_cycle():
    graph = import_graph()
    assert "workbook" in graph and graph["workbook"]  # the graph was really built
    cycle = find_cycle(graph)
    assert cycle is None, "vòng import: " + " -> ".join(cycle or [])
