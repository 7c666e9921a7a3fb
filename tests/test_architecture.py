"""The package's structure: layers that import only downwards, rule families independent of
each other, no import cycle (function-level imports included), modules a newcomer can read,
and checks that say what they examine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from commlint.core.catalogue import load

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "commlint"
MAX_LINES = 560  # "about 500": a module a newcomer reads in one sitting


def _lint_imports() -> Path:
    exe = Path(sys.executable).parent / "lint-imports"
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return exe


def test_import_linter_contracts_are_kept() -> None:
    proc = subprocess.run([str(_lint_imports()), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_no_import_cycle() -> None:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("commlint")
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on.add(node)
            succ = edges.get(node, [])
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    assert not cycles, f"import cycles: {cycles}"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_readable(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name} has {len(text.splitlines())} lines: split it"
    if path.name != "__main__.py":
        assert ast.get_docstring(ast.parse(text)), f"{path.name} must open with a sentence on what it owns"


def test_lower_layers_know_no_rule() -> None:
    """Parsers and analyses never reach for a check or the catalogue of a rule."""
    for layer in ("artifacts", "analyses", "core"):
        for path in (PACKAGE / layer).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and "rules" in node.module.split("."):
                    pytest.fail(f"{path.relative_to(PACKAGE)} imports {node.module}")


def test_code_and_cross_file_checks_declare_what_they_examine() -> None:
    """The scorecard passes an item only when its rules examined something: a Python or
    cross-file check that declared nothing would always read "not checked"."""
    import importlib

    from commlint.rules import CHECKS

    cat = load()
    for rule in cat.rules:
        importlib.import_module(rule.module)
    for rule in cat.rules:
        if rule.kind in ("python", "system"):
            fn = CHECKS[rule.code]
            assert getattr(fn, "subjects", None) is not None, f"{rule.code}: @check({rule.code!r}, subjects=...)"


def test_a_suppression_inside_a_string_suppresses_nothing_across_files(tmp_path: Path) -> None:
    """The cross-file rules read suppressions as per-file rules do: in Python, real comments
    only, so a help text showing the syntax does not silence CL703."""
    from commlint.api import check_paths
    from commlint.core.config import load_settings

    svc = tmp_path / "payments"
    svc.mkdir()
    (svc / "pyproject.toml").write_text("[project]\nname = 'payments'\n")
    (svc / "server.py").write_text(
        "import grpc\n"
        "from concurrent import futures\n\n\n"
        "def serve():\n"
        '    HELP = "# commlint: ignore[CL703] -- how to silence it"\n'
        "    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))\n"
        "    return server, HELP\n"
    )
    settings = load_settings(tmp_path, load(), data={"select": ["CL703"]}, root=tmp_path)
    result = check_paths([tmp_path], settings, jobs=1)
    assert [(f.code, f.location.line) for f in result.active] == [("CL703", 7)]
    (svc / "server.py").write_text((svc / "server.py").read_text().replace(
        "    server = grpc.server", "    # commlint: ignore[CL703] -- a test server\n    server = grpc.server"))
    result = check_paths([tmp_path], settings, jobs=1)
    assert [f.code for f in result.active] == []
    assert [f.code for f in result.findings if f.suppressed] == ["CL703"]


def test_option_defaults_live_only_in_the_catalogue() -> None:
    """A check reads ``ctx.options["key"]``: the engine merges the configuration over the
    catalogue's defaults, so a default written again in code could only drift from it."""
    import re

    pattern = re.compile(r"options\.get\(\s*\"[a-z-]+\"\s*,")
    offenders = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}"
                 for p in sorted((PACKAGE / "rules").rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
