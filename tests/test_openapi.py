"""OpenAPI documents (CL300-CL304, CL002): recognition by content, $refs that stay in the
tree and off the network, locations through $refs, breaking changes against git and files."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, found, run, write_tree

OPENAPI = CORPUS / "openapi"
RID = "{name: X-Request-ID, in: header, required: true, schema: {type: string}}"


def _doc(paths: str, version: str = "3.1.0", extra: str = "") -> str:
    return f"openapi: {version}\ninfo: {{title: T, version: '1'}}\npaths:\n{paths}{extra}"


def _by_code(result, code: str) -> list:
    return [f for f in result.active if f.code == code]


# -- recognition -------------------------------------------------------------------------


def test_documents_are_recognised_by_content_and_fragments_are_not_documents(check_tree) -> None:
    result = check_tree({
        "docs/anything.yml": _doc("  /orders:\n    get:\n      $ref: 'ops/get.yaml'\n"),
        "docs/ops/get.yaml": "responses:\n  '200': {description: OK}\n",
        "schema.json": '{"type": "object", "properties": {"openapi": {"type": "string"}}}',
        "config.yaml": "name: orders\nopenapi_url: x\n",
    })
    kinds = {r.rel: r.kind for r in result.files if r.parsed}
    assert kinds == {"docs/anything.yml": "openapi"}
    assert {f.location.path for f in result.active} == {"docs/anything.yml"}
    assert ("docs/anything.yml", 4, "CL302") in found(result)  # /orders
    assert ("docs/anything.yml", 5, "CL303") in found(result)  # get: $ref to another file


def test_swagger_2_is_validated_and_reported_as_old(check_tree) -> None:
    result = check_tree({"api.yaml": 'swagger: "2.0"\ninfo: {title: T, version: "1"}\nbasePath: /v1\n'
                                     "paths:\n  /orders:\n    get:\n      responses: {}\n"})
    assert found(result) >= {("api.yaml", 1, "CL301"), ("api.yaml", 7, "CL300")}
    assert not _by_code(result, "CL302")  # basePath carries the version


# -- $refs: never remote, never outside the tree, cycles end ----------------------------------


def test_remote_ref_is_reported_and_never_fetched(check_tree, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    paths = ("  /v1/a:\n    get:\n      parameters:\n        - $ref: 'http://example.com/p.yaml#/RID'\n"
             "        - $ref: 'ftp://example.com/p.yaml'\n      responses: {'200': {$ref: 'https://example.com/r.json'}}\n")
    result = check_tree({"api.yaml": _doc(paths)}, {"select": ["CL3"]})
    remote = [f for f in _by_code(result, "CL300") if "remote" in f.message or "absolute URI" in f.message]
    assert sorted(f.location.line for f in remote) == [7, 8, 9]
    assert not [f for f in result.active if f.code == "CL001"]


def test_ref_out_of_the_tree_is_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("type: 12\n")  # an invalid schema: reading it would show in the findings
    root = tmp_path / "repo"
    link_target = tmp_path / "elsewhere"
    link_target.mkdir()
    (link_target / "schema.yaml").write_text("type: 12\n")
    files = {"api.yaml": _doc(
        "  /v1/a:\n    get:\n      parameters: [" + RID + "]\n      responses:\n        '200':\n"
        "          description: OK\n          content:\n            application/json:\n"
        "              schema: {$ref: '../secret.yaml'}\n"
        "        '201':\n          description: OK\n          content:\n            application/json:\n"
        "              schema: {$ref: 'linked/schema.yaml'}\n"
        "        '202': {$ref: '../../../../../../etc/passwd'}\n")}
    write_tree(root, files)
    (root / "linked").symlink_to(link_target, target_is_directory=True)
    result = run(root, {"select": ["CL300"]}, paths=[root / "api.yaml"])
    messages = {(f.location.line, f.message) for f in result.active}
    assert {line for line, _ in messages} == {12, 17, 18}
    assert all("outside the checked tree" in m for _, m in messages)


def test_circular_refs_across_files_terminate(check_tree) -> None:
    node = "type: object\nproperties:\n  child: {$ref: 'b.yaml'}\n  self: {$ref: '#'}\n"
    files = {
        "api.yaml": _doc("  /v1/a:\n    get:\n      parameters: [" + RID + "]\n      responses:\n        '200':\n"
                         "          description: OK\n          content:\n            application/json:\n"
                         "              schema: {$ref: 'a.yaml'}\n"),
        "a.yaml": node,
        "b.yaml": node.replace("b.yaml", "a.yaml"),
    }
    files["old/api.yaml"] = files["api.yaml"].replace("'a.yaml'", "'../a.yaml'")
    result = check_tree(files, {"select": ["CL3"], "rules": {"CL304": {"base-path": "old/api.yaml"}}})
    assert not result.active, [f.message for f in result.active]


def test_error_in_a_fragment_is_reported_at_the_ref_with_the_fragment_as_related(check_tree) -> None:
    result = check_tree({
        "api.yaml": _doc("  /v1/a:\n    get:\n      parameters: [" + RID + "]\n      responses:\n"
                         "        '200': {$ref: 'responses/ok.yaml'}\n"),
        "responses/ok.yaml": "description: OK\ncontent:\n  application/json:\n    schema:\n      type: object\n"
                             "      required: [id]\n      allOf: [{type: object}]\n",
    }, {"select": ["CL300"]})
    (finding,) = result.active
    assert (finding.location.path, finding.location.line) == ("api.yaml", 8)
    assert [(r.path, r.line, r.pointer) for r in finding.related] == [
        ("responses/ok.yaml", 4, "/content/application~1json/schema")]
    assert "responses/ok.yaml:4" in finding.message


def test_error_through_an_internal_ref_is_reported_at_the_component(check_tree) -> None:
    extra = ("components:\n  schemas:\n    Order:\n      type: object\n      required: [id]\n"
             "      allOf: [{type: object}]\n")
    result = check_tree({"api.yaml": _doc(
        "  /v1/a:\n    get:\n      parameters: [" + RID + "]\n      responses:\n        '200':\n"
        "          description: OK\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Order'}\n", extra=extra)}, {"select": ["CL300"]})
    assert [(f.location.line, f.location.pointer) for f in result.active] == [(15, "/components/schemas/Order")]


def test_missing_file_and_dangling_pointer(check_tree) -> None:
    result = check_tree({"api.yaml": _doc(
        "  /v1/a:\n    parameters:\n      - $ref: 'nope.yaml'\n      - $ref: '#/components/parameters/Nope'\n"
        "    get: {responses: {'200': {description: OK}}}\n")}, {"select": ["CL300"]})
    assert sorted((f.location.line, "no such file" in f.message or "points to nothing" in f.message)
                  for f in result.active) == [(6, True), (7, True)]


def test_duplicate_keys_and_unknown_version(check_tree) -> None:
    result = check_tree({
        "a.yaml": _doc("  /v1/a: {}\n  /v1/a: {}\n"),
        "b.yaml": "openapi: 4.0.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
    }, {"select": ["CL300"]})
    assert found(result) == {("a.yaml", 5, "CL300"), ("b.yaml", 1, "CL300")}


# -- suppressions and CL002 ---------------------------------------------------------------


def test_pointer_and_comment_suppressions(check_tree) -> None:
    result = check_tree({"api.yaml": _doc(
        "  /v1/a:\n    get:\n      x-commlint-ignore: [CL303]\n      responses: {'200': {description: OK}}\n"
        "    # commlint: ignore[CL303] -- internal health probe\n"
        "    post:\n      responses: {'200': {description: OK}}\n")})
    assert {f.code for f in result.findings if f.suppressed} == {"CL303"}
    assert not result.active


def test_unknown_rule_in_x_commlint_ignore_is_cl002_not_cl003(check_tree) -> None:
    result = check_tree({"api.json": '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"},\n'
                                     ' "x-commlint-ignore": ["nope", 3],\n "paths": {}}'})
    assert found(result) == {("api.json", 2, "CL002")}


# -- CL304 against git -------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_breaking_change_against_a_git_revision_reads_fragments_from_git(tmp_path: Path) -> None:
    root = tmp_path
    api = _doc("  /v1/orders:\n    get:\n      parameters: [" + RID + "]\n      responses:\n        '200':\n"
               "          description: OK\n          content:\n            application/json:\n"
               "              schema: {$ref: 'schemas/order.yaml'}\n")
    write_tree(root, {"api/openapi.yaml": api,
                      "api/schemas/order.yaml": "type: object\nproperties:\n  id: {type: string}\n  total: {type: number}\n"})
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "v1")
    (root / "api/schemas/order.yaml").write_text("type: object\nproperties:\n  id: {type: string}\n")
    result = run(root, {"select": ["CL304"], "base": "HEAD"})
    (finding,) = result.active
    assert (finding.location.path, finding.location.line) == ("api/openapi.yaml", 12)
    assert "'total' was removed" in finding.message and finding.related[0].path == "api/schemas/order.yaml"
    assert not run(root, {"select": ["CL304"]}).active  # no base: nothing to compare
    bad = run(root, {"select": ["CL304"], "base": "no-such-ref"}).active
    assert [f.code for f in bad] == ["CL304"] and "unknown git revision" in bad[0].message


def test_breaking_change_against_a_folder(check_tree) -> None:
    old = _doc("  /v1/a:\n    get: {responses: {'200': {description: OK}}}\n    delete: {responses: {'204': {description: OK}}}\n"
               "  /v1/b:\n    get: {responses: {'200': {description: OK}}}\n")
    new = _doc("  /v1/a:\n    get:\n      parameters:\n        - {name: q, in: query, required: true, schema: {type: string}}\n"
               "      responses: {'200': {description: OK}}\n")
    result = check_tree({"svc/api.yaml": new, "published/svc/api.yaml": old},
                        {"select": ["CL304"], "rules": {"CL304": {"base-path": "published"}}})
    got = sorted((f.location.path, f.location.line, f.message) for f in result.active)
    assert got == [
        ("svc/api.yaml", 3, "path /v1/b was removed (oasdiff: api-path-removed-without-deprecation)"),
        ("svc/api.yaml", 4, "operation DELETE /v1/a was removed (oasdiff: api-removed-without-deprecation)"),
        ("svc/api.yaml", 7, "GET /v1/a: new required query parameter 'q' (oasdiff: new-required-request-parameter)"),
    ]


# -- the real corpus ----------------------------------------------------------------------


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


PAIRS = _script("oasdiff_pairs")
PAIR_DIR = PAIRS.DEFAULT


@pytest.mark.parametrize("name", sorted(PAIRS.EXPECT))
def test_oasdiff_pair(name: str) -> None:
    if not PAIR_DIR.is_dir():
        pytest.skip("corpus not present")
    want, why = PAIRS.EXPECT[name]
    side = PAIRS.on_side(name, PAIRS.compare(PAIR_DIR, name))
    assert bool(side) == want, f"{name} ({why}): {side}"


@pytest.mark.slow
def test_whole_openapi_corpus_runs_without_internal_errors() -> None:
    if not OPENAPI.is_dir():
        pytest.skip("corpus not present")
    root = OPENAPI.resolve()  # ../shared is a symbolic link
    result = run(root, {"select": ["CL3", "CL001", "CL002"], "respect-gitignore": False, "file-timeout": 300})  # not a speed test
    internal = [f.message for f in result.findings if f.code == "CL001"]
    assert not internal
    docs = {r.rel for r in result.files if r.kind == "openapi"}
    assert "digitalocean/specification/DigitalOcean-public.v2.yaml" in docs
    assert not any(r.startswith("digitalocean/specification/resources/") for r in docs)  # fragments
    do = [f for f in result.active if f.location.path.startswith("digitalocean/")]
    # DigitalOcean's operations are $refs to files, which OpenAPI 3.0 does not allow
    assert any(f.code == "CL300" and "$ref is not allowed here" in f.message for f in do)
    assert {f.code for f in do} >= {"CL300", "CL301"}
    # a public API (servers on api.digitalocean.com): no correlation header asked of its clients
    assert "CL303" not in {f.code for f in do}


def test_a_public_api_is_judged_when_asked(tmp_path: Path) -> None:
    doc = ("openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
           "paths:\n  /a:\n    get:\n      responses: {'200': {description: OK}}\n")
    write_tree(tmp_path, {"api.yaml": doc})
    assert not [f for f in run(tmp_path, {"select": ["CL303"]}).active]
    asked = run(tmp_path, {"select": ["CL303"], "rules": {"CL303": {"public-apis": True}}}).active
    assert [(f.code, f.location.line) for f in asked] == [("CL303", 6)]


def test_cached_result_is_not_reused_when_a_ref_target_changes(tmp_path: Path) -> None:
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings
    from commlint.engine import make_plan
    from commlint.api import check_paths
    from commlint.runner import Cache

    root = tmp_path / "repo"
    write_tree(root, {"api.yaml": _doc("  /v1/a:\n    get:\n      parameters:\n        - $ref: 'params.yaml#/RID'\n"
                                       "      responses: {'200': {description: OK}}\n"),
                      "params.yaml": "RID: " + RID + "\n"})
    settings = build_settings({"select": ["CL303"]}, root, load())
    cache = Cache(tmp_path / "cache", make_plan(settings, load()).key())

    def check() -> set:
        return found(check_paths([root], settings, cache=cache))

    assert check() == set()
    assert check() == set()  # from the cache
    (root / "params.yaml").write_text("RID: {name: X-Trace, in: header, schema: {type: string}}\n")
    assert check() == {("api.yaml", 5, "CL303")}
