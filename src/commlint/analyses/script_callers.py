"""Whether a function of a library module runs once per process because the only code that calls
it is the start-up of scripts: ``pipeline/schema_guard.py``'s ``ensure_registered()``, called by
``register_schemas.py``'s ``main()`` and by nothing else (``inbound.runs_once`` answers the same for a
function of the script itself). Read with ``ast`` through the project index; every file scanned
becomes a dependency of the asking module (``callers._readers``), so a new caller anywhere changes the
answer."""

from __future__ import annotations

import ast
import os

from pathlib import Path

from ..artifacts.python import PyModule, Scope
from .callers import _readers
from .index import module_file, project_index
from .inbound import STARTUP_NAMES, callers_running_once
from .summaries import _dotted

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
MAX_DEPTH = 3


def called_only_by_scripts(module: PyModule, fn: Scope, depth: int = 0) -> str | None:
    """Why ``fn`` (a module-level function of this module) runs once: every other module naming it is
    a script (``if __name__ == "__main__":``) that calls it outside any loop from ``main`` (or another
    start-up function, or a function called so, or the ``__main__`` block) and never passes it on; and
    in this module it is only called, outside loops (or over a few literal values), by functions that
    run once so. None when any caller may run more often, or when nothing calls it."""
    memo = module.analysis("script_callers.memo", lambda m: {})  # (function, depth): each asked once
    key = (id(fn), depth)
    if key not in memo:
        memo[key] = _once(module, fn, depth)
    return memo[key]


def _once(module: PyModule, fn: Scope, depth: int) -> str | None:
    index, here = project_index(module), module_file(module)
    if index is None or here is None or fn.kind != "function" or fn.parent is not module.module_scope \
            or depth > MAX_DEPTH:
        return None
    callers = callers_running_once(module, fn, lambda g: called_only_by_scripts(module, g, depth + 1) is not None)
    if callers is None:
        return None
    sites = module.analysis(f"script_callers.{fn.name}", lambda m: _script_sites(m, index, here, fn.name))
    if sites is None or not (sites or callers):
        return None
    named = sorted({f"`{c.qualname}`" for c in callers}) + sites[:2]
    named += [f"{len(sites) - 2} more"] if len(sites) > 2 else []
    return f"`{fn.qualname}` is called once, at the start-up of scripts (by {', '.join(named)})"


def _script_sites(m: PyModule, index, here, name: str) -> list[str] | None:  # noqa: ANN001
    """Where the other modules of the tree call the function ``name`` of ``here``: all from scripts,
    once each (``path:line``); None when one of them may call it more often or passes it on."""
    sites: list[str] = []
    for path, caller in _readers(index, m.index_deps, name.encode(), under=_import_root(here, index.root)):
        if path == here:
            continue
        ours = []
        for n in ast.walk(caller.tree):
            if isinstance(n, (ast.Name, ast.Attribute)) and (n.id if isinstance(n, ast.Name) else n.attr) == name:
                d = caller.definition(_dotted(n))
                if d is not None and d.kind == "function" and d.summary.path == str(here) and d.name == name:
                    ours.append(n)
        if not ours:
            continue
        script = _Script(caller.tree)
        if not script.is_script or not all(script.called_once(n, 0) for n in ours):
            return None
        sites.extend(f"{os.path.relpath(path, index.root).replace(os.sep, '/')}:{n.lineno}" for n in ours)
    return sites


def _import_root(module: Path, root: Path) -> Path:
    """The folder a module is imported from: above its packages (folders with an ``__init__.py``),
    never above the tree's ``root``. Scripts importing it sit there or below (the searched part of
    the tree): a script elsewhere would need the package installed, and calls it makes are not the
    service's."""
    folder = module.parent
    while folder != root and root in folder.parents and (folder / "__init__.py").is_file():
        folder = folder.parent
    return folder


class _Script:
    """A module's tree with each node's parent, read as a script."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.parent: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[id(child)] = node
        self.main_blocks = [s for s in tree.body if isinstance(s, ast.If) and _is_main_test(s.test)]
        self.is_script = bool(self.main_blocks)
        self.defs = {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def called_once(self, use: ast.AST, depth: int) -> bool:
        """``use`` (a name) is the callee of a call that runs once: not in a loop, in ``main`` (or a
        start-up function), in the ``__main__`` block, or in a module-level function itself called so."""
        call = self.parent.get(id(use))
        if not (isinstance(call, ast.Call) and call.func is use):
            return False  # passed on, stored, or looked at: it may run any time
        node: ast.AST = call
        while True:
            child, node = node, self.parent.get(id(node))  # type: ignore[assignment]
            if node is None:
                return False  # module level outside the __main__ block: at import, but imported by whom?
            if isinstance(node, _LOOPS) and not (isinstance(node, (ast.For, ast.AsyncFor)) and node.iter is child):
                return False  # (what a for loop walks is computed once)
            if any(node is b for b in self.main_blocks):
                return True
            if isinstance(node, _FUNCTIONS):
                break
        if isinstance(node, ast.Lambda) or self.defs.get(node.name) is not node:
            return False  # a nested function or a method: when it runs is not read here
        if node.name in STARTUP_NAMES:
            return True
        if depth >= MAX_DEPTH:
            return False
        uses = [n for n in ast.walk(self.tree) if isinstance(n, ast.Name) and n.id == node.name]
        return bool(uses) and all(self.called_once(n, depth + 1) for n in uses)


def _is_main_test(test: ast.AST) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" \
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
