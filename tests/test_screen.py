"""The prefilter's last stage (analyses/screen.py): a Python file holding a trigger word but nothing the
rules examine gets no tree of the analyses. It must never change a result (test_prefilter.py compares
every example with and without it); here: its tables against the analyses', its facts against the analyses',
and the ways a module can reach a library through the tree."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from commlint.analyses import facts as facts_mod
from commlint.analyses import forwarding, http, routes, screen
from commlint.analyses.kafka.build import BROKER_WORDS
from commlint.analyses.kafka.model import ROLES
from commlint.analyses.messaging import rabbitmq, sqs
from commlint.artifacts import python as py

from conftest import REPO, found, run, write_tree


def test_the_library_prefixes_cover_every_qualname_the_analyses_know() -> None:
    known = set(http.FUNCTIONS) | set(http.CLIENTS) | set(http.GRPC_CHANNELS) | set(facts_mod.SERVERS) \
        | set(routes.APP_CLASSES) | {f"aiohttp.web.{v}" for v in routes.VERBS}
    assert all(screen.related(q) for q in known), sorted(q for q in known if not screen.related(q))
    assert not screen.related("urllib.parse.urlparse") and not screen.related("http.HTTPStatus")
    assert screen.related("urllib") and screen.related("pip._vendor.requests.get")


def test_the_imported_roots_and_words_cover_the_brokers_breakers_and_needles() -> None:
    roots = set(ROLES) | set(facts_mod.BREAKERS) | rabbitmq.LIBRARIES | sqs.LIBRARIES | {"faststream", "nats"}
    assert roots <= screen.IMPORTED_ROOTS, sorted(roots - screen.IMPORTED_ROOTS)
    needles = set(forwarding._LIBRARIES) | set(BROKER_WORDS) | {b"requests", b"httpx", b"aiohttp", b"urllib3",
                                                                 b"http.client"}
    assert all(any(w in n for w in screen.TREE_WORDS) for n in needles)


def test_the_rules_said_to_examine_calls_examine_only_the_call_model() -> None:
    """``examines = "calls"`` (rule.toml) lets this stage skip a file for a rule: only a check whose
    subjects are the call model's (``sync_calls.calls``, ``timeout_subjects``) may say it, and each does."""
    import importlib

    from commlint.core.catalogue import load
    from commlint.rules import CHECKS

    cat = load()
    for rule in cat.rules:
        importlib.import_module(rule.module)
    sync_calls = importlib.import_module("commlint.rules.sync_calls")
    model = {sync_calls.calls, sync_calls.timeout_subjects}
    for rule in cat.rules:
        if rule.kind == "python":
            assert (rule.examines == "calls") == (CHECKS[rule.code].subjects in model), rule.code


def _python_files() -> list[Path]:
    out = []
    for top in ("src", "rules", "examples", "fixtures", "tests"):
        out += sorted((REPO / top).rglob("*.py"))
    return [p for p in out if "hostile" not in p.parts]


def test_its_facts_are_the_analyses_on_every_python_file_here() -> None:
    """Functions and what they call, as the analyses' scope model reads them (decorators, defaults and
    annotations inside the function; lambdas as ``<lambda>``), on every Python file of this repository."""
    compared = 0
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
            module = py.parse(str(path), text)
        except Exception:  # noqa: BLE001 - a deliberately broken example
            continue
        reader = screen._Reader()
        reader.visit(tree)
        mine = reader.facts()
        assert mine["functions"] == facts_mod._functions(module), path
        assert mine["defined"] == sorted({s.qualname for s in module.scopes if s.kind == "function"}), path
        assert reader.imports == module.imports, path
        compared += 1
    assert compared > 300


def _parsed(result) -> set[str]:  # noqa: ANN001
    return {r.rel for r in result.files if r.parsed}


def test_a_file_with_only_inert_imports_is_not_parsed_and_keeps_its_facts(tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, {
        "svc/links.py": "from urllib.parse import urljoin\n\n\ndef link(base, requests):\n"
                        "    return [urljoin(base, r) for r in requests]\n",
        "svc/client.py": "import requests\n\n\ndef get(url):\n    return requests.get(url)  # expect\n",
    })
    parsed: list[str] = []
    real = py.parse

    def spy(path: str, *a, **k):  # noqa: ANN002, ANN003, ANN202
        parsed.append(path)
        return real(path, *a, **k)

    monkeypatch.setattr(py, "parse", spy)
    result = run(tmp_path, None, jobs=1)  # the default rules: the cross-file ones read facts
    assert parsed == ["svc/client.py"]
    assert found(result, {"CL101"}) == {("svc/client.py", 5, "CL101")}
    links = next(r for r in result.files if r.rel == "svc/links.py")
    assert links.parsed and links.facts["functions"] == {"link": ["urljoin"]} and links.facts["defined"] == ["link"]


@pytest.mark.parametrize("layout", ["direct", "re-exported"])
def test_a_library_reached_through_the_tree_is_still_checked(tmp_path: Path, layout: str) -> None:
    """``api = Api(); api.fetch(url)`` where ``Api.fetch`` forwards its caller's timeout to requests: the
    caller names no library, but the module defining ``Api`` does, even behind a package re-export."""
    impl = ("import requests\n\n\nclass Api:\n    def fetch(self, url, timeout=None):\n"
            "        return requests.get(url, timeout=timeout)\n")
    files = {"jobs/run.py": "from shared import Api\n\n\ndef refresh(requests_made):\n    api = Api()\n"
                            "    return api.fetch('http://pricing:8080/v1/prices')\n"}
    if layout == "direct":
        files["shared/__init__.py"] = impl
    else:
        files["shared/__init__.py"] = "from .impl import Api\n"
        files["shared/impl.py"] = impl
    write_tree(tmp_path, files)
    config = {"select": ["CL101"]}
    assert found(run(tmp_path, config, jobs=1)) == found(run(tmp_path, config, jobs=1, prefilter=False))
    assert ("jobs/run.py", 6, "CL101") in found(run(tmp_path, config, jobs=1))
    assert "jobs/run.py" in _parsed(run(tmp_path, config, jobs=1))


def test_a_screened_file_gets_no_tree_of_the_analyses(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/links.py": "from urllib.parse import urljoin\n\nrequests = []\n"})
    code = ("import sys\nfrom commlint.cli import main\n"
            "try:\n    main(['check', '.', '--no-cache', '--select', 'CL101,CL121', '-q'])\n"
            "except SystemExit:\n    pass\nprint('commlint.artifacts.pybuild' in sys.modules or 'libcst' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_helper_module_naming_a_library_leads_only_through_what_it_defines(tmp_path: Path) -> None:
    """``shared/util.py`` names requests, but the constant and the plain function used from it make
    no client: the caller is not parsed. A factory from the same module does make one: parsed, reported."""
    write_tree(tmp_path, {
        "shared/util.py": "import requests\n\nUSER_AGENT = 'svc/1.0'\n\n\ndef slug(text):\n    return text.lower()\n\n\n"
                          "def session():\n    return requests.Session()\n",
        "jobs/names.py": "from shared.util import USER_AGENT, slug\n\n\ndef name(requests_made):\n"
                         "    return slug(USER_AGENT)\n",
        "jobs/fetch.py": "from shared.util import session\n\n\ndef fetch(requests_made):\n"
                         "    return session().get('http://pricing:8080/v1/prices')\n",
    })
    config = {"select": ["CL101"]}
    result = run(tmp_path, config, jobs=1)
    assert "jobs/fetch.py" in _parsed(result)
    assert found(result) == found(run(tmp_path, config, jobs=1, prefilter=False))
    assert ("jobs/fetch.py", 5, "CL101") in found(result)
    from commlint.core.config import load_settings  # noqa: F401 - the screen's own answer for names.py
    from commlint.core.catalogue import load as load_catalogue
    from commlint.engine import make_plan
    from conftest import build_settings

    settings = build_settings(dict(config), tmp_path, load_catalogue(), None)
    text = (tmp_path / "jobs" / "names.py").read_text(encoding="utf-8")
    tree, stands = screen.screened("jobs/names.py", text.encode(), text, make_plan(settings, load_catalogue(), True), False)
    assert tree is not None and stands is not None and str(tmp_path / "shared" / "util.py") in stands["deps"]


def test_an_import_of_grpc_health_is_built_and_checked(tmp_path: Path) -> None:
    """facts.collect marks a service healthy for any import naming grpc_health (CL703), even one
    of generated code that is not in the tree: such a file is not screened."""
    text = "from app.protos import grpc_health_pb2\n"
    from commlint.core.catalogue import load as load_catalogue
    from commlint.engine import make_plan
    from conftest import build_settings

    settings = build_settings({}, tmp_path, load_catalogue(), None)
    tree, stands = screen.screened("a.py", text.encode(), text, make_plan(settings, load_catalogue(), True), False)
    assert isinstance(tree, ast.Module) and stands is None  # the tree is passed on, not parsed again


def test_a_wide_class_hierarchy_is_read_once_per_class(tmp_path: Path, monkeypatch) -> None:
    """Bases are followed with a memo: five layers of 12 classes, each inheriting from every class of
    the layer below (a hostile tree), cost a lookup per edge, not one per path (12 to the fourth)."""
    from commlint.analyses.index import ProjectIndex

    layers = [[f"L{k}_{i}" for i in range(12)] for k in range(5)]
    body = "import requests\n\n\n"
    for k in range(4, -1, -1):
        for name in layers[k]:
            bases = ", ".join(layers[k + 1]) if k < 4 else ""
            body += f"class {name}({bases}):\n    pass\n\n\n"
    write_tree(tmp_path, {"shared/models.py": body,
                          "jobs/run.py": "from shared.models import L0_0\n\n\ndef run(requests_made):\n    return L0_0()\n"})
    calls = [0]
    real = ProjectIndex.local

    def counting(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls[0] += 1
        return real(self, *a, **k)

    monkeypatch.setattr(ProjectIndex, "local", counting)
    result = run(tmp_path, {"select": ["CL101"]}, jobs=1)
    assert calls[0] < 1000, calls[0]  # 22,621 without the memo
    assert found(result) == set()
