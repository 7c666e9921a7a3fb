"""File roles (``artifacts/roles.py``): contract files under test directories are tests, left out
by default and reported with ``--scope all``; under ``docs/`` they are still the contract; the
``*-paths`` settings win over the convention; Python files keep their roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import cli_invoke, found, run, write_tree

from commlint.artifacts.roles import (
    EXAMPLE, PRODUCTION, SCRIPT, TEST, contract_role, conventional_role, file_role,
)
from commlint.core.catalogue import load
from commlint.core.config import build_settings

OPENAPI = """\
openapi: 3.0.3
info: {title: Orders, version: 1.0.0}
paths:
  /orders:
    get:
      responses:
        '200': {description: ok}
"""
# CL301 (3.0.3 is older than 3.1) on line 1, CL302 (unversioned path) on line 4,
# CL303 (no X-Request-ID) on line 5
OPENAPI_FINDINGS = {(1, "CL301"), (4, "CL302"), (5, "CL303")}
AVRO = '{"type": "record", "name": "OrderPlaced", "namespace": "shop.orders",\n "fields": [{"name": "id", "type": "string"}]}\n'
PROTO = 'syntax = "proto3";\npackage shop.orders;\nmessage Order { string id = 1; }\n'  # CL503 on line 2
PYTHON = "import requests\n\n\ndef get(u):\n    return requests.get(u)\n"  # CL101 on line 5
SELECT = {"select": ["CL3", "CL4", "CL5", "CL101"]}


def _at(result, path: str) -> set[tuple[int, str]]:
    return {(line, code) for p, line, code in found(result) if p == path}


# -- the convention, path by path -------------------------------------------------------------


@pytest.mark.parametrize("path, role", [
    ("src/test/resources/topology.yaml", TEST),  # JulieOps
    ("lang/java/avro/src/test/avro/User.avsc", TEST),  # Avro
    ("flatten/allof/testdata/spec.yaml", TEST),  # oasdiff
    ("tests/avro/user.avsc", TEST),
    ("Test/Fixtures/api.json", TEST),  # directory names in any case
    ("e2e/manifests/kafkatopic.yaml", TEST),
    ("fixtures/peers/openapi/api.yaml", TEST), ("web/__fixtures__/api.json", TEST),
    ("plugin/src/it/simple/openapi.yaml", TEST),  # Maven's integration tests
    ("it/openapi.yaml", PRODUCTION), ("api/it/openapi.yaml", PRODUCTION),  # "it" alone is no test folder
    ("docs/openapi.yaml", PRODUCTION),  # documentation keeps the contract
    ("examples/shop/orders/openapi.yaml", PRODUCTION),
    ("samples/order.avsc", PRODUCTION),
    ("scripts/topics.yaml", PRODUCTION),
    ("api/test_api.yaml", PRODUCTION),  # test_*.py names a test module, not a contract
    ("orders/openapi.yaml", PRODUCTION),
    ("contest/api.yaml", PRODUCTION),  # a directory whose name only contains "test"
])
def test_contract_roles_by_convention(path: str, role: str) -> None:
    assert contract_role(path) == role
    assert file_role(path, None, kind="openapi") == role  # any kind but Python is a contract


@pytest.mark.parametrize("path, role", [
    ("tests/test_api.py", TEST), ("src/test/resources/gen.py", TEST), ("orders/test_app.py", TEST),
    ("orders/conftest.py", TEST), ("orders/app_test.py", TEST), ("docs/conf.py", EXAMPLE),
    ("examples/shop/app.py", EXAMPLE), ("orders/example_client.py", EXAMPLE), ("scripts/seed.py", SCRIPT),
    ("setup.py", SCRIPT), ("bin/run.py", SCRIPT), ("orders/app.py", PRODUCTION),
    ("tests/fixtures/client.py", TEST), ("fixtures/client.py", TEST),
    ("medagent/experiments/benchmark_llama.py", SCRIPT), ("medagent/quickstart.py", EXAMPLE),  # aliammari1/pulmocare
])
def test_python_roles_are_unchanged(path: str, role: str) -> None:
    assert conventional_role(path) == role
    assert file_role(path) == role
    assert file_role(path, None, kind="python") == role


def test_settings_patterns_win_for_contract_files() -> None:
    settings = build_settings({"test-paths": ["fixtures/**"], "production-paths": ["src/test/resources/contracts/**"],
                               "example-paths": ["sandbox/"]}, Path("."), load(), None)
    assert contract_role("fixtures/api.yaml", settings) == TEST
    assert contract_role("src/test/resources/contracts/orders.yaml", settings) == PRODUCTION
    assert contract_role("src/test/resources/other.yaml", settings) == TEST
    assert contract_role("sandbox/api.yaml", settings) == EXAMPLE
    assert contract_role("docs/openapi.yaml", settings) == PRODUCTION


# -- whole runs --------------------------------------------------------------------------------


def test_openapi_under_src_test_resources_is_left_out_by_default(tmp_path: Path) -> None:
    path = "src/test/resources/openapi.yaml"
    write_tree(tmp_path, {path: OPENAPI})
    default = run(tmp_path, SELECT)
    assert _at(default, path) == set()
    assert default.left_out == {TEST: len(OPENAPI_FINDINGS)}
    everything = run(tmp_path, {**SELECT, "scope": "all"})
    assert _at(everything, path) == OPENAPI_FINDINGS
    assert everything.left_out == {}


def test_openapi_under_docs_is_reported_by_default(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docs/openapi.yaml": OPENAPI, "docs/conf.py": PYTHON})
    result = run(tmp_path, SELECT)
    assert _at(result, "docs/openapi.yaml") == OPENAPI_FINDINGS
    assert _at(result, "docs/conf.py") == set()  # a Python file under docs/ is still an example
    assert result.left_out == {EXAMPLE: 1}


def test_avro_and_proto_under_test_directories(tmp_path: Path) -> None:
    files = {"lang/java/mapred/src/test/avro/order.avsc": AVRO, "pkg/config/testdata/orders.proto": PROTO,
             "schemas/order.avsc": AVRO, "proto/orders.proto": PROTO}
    write_tree(tmp_path, files)
    default = run(tmp_path, SELECT)
    assert _at(default, "schemas/order.avsc") == {(1, "CL401")}
    assert _at(default, "proto/orders.proto") == {(2, "CL503")}
    assert {p for p, _, _ in found(default)} == {"schemas/order.avsc", "proto/orders.proto"}
    assert default.left_out == {TEST: 2}
    everything = run(tmp_path, {**SELECT, "scope": "all"})
    assert _at(everything, "lang/java/mapred/src/test/avro/order.avsc") == {(1, "CL401")}
    assert _at(everything, "pkg/config/testdata/orders.proto") == {(2, "CL503")}


def test_topic_manifest_under_test_resources_is_a_test(tmp_path: Path) -> None:
    topic = ("apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: OrdersCreated\n"
             "spec:\n  partitions: 1\n  replicas: 1\n")
    write_tree(tmp_path, {"api/src/test/resources/topic.yaml": topic, "deploy/topic.yaml": topic})
    default = {p for p, _, _ in found(run(tmp_path, {"select": ["CL6"]}))}
    assert default == {"deploy/topic.yaml"}
    everything = {p for p, _, _ in found(run(tmp_path, {"select": ["CL6"], "scope": "all"}))}
    assert everything == {"deploy/topic.yaml", "api/src/test/resources/topic.yaml"}


def test_patterns_override_the_convention_in_a_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/test/resources/openapi.yaml": OPENAPI, "qa/openapi.yaml": OPENAPI})
    result = run(tmp_path, {**SELECT, "production-paths": ["src/test/resources/"], "test-paths": ["qa/**"]})
    assert _at(result, "src/test/resources/openapi.yaml") == OPENAPI_FINDINGS
    assert _at(result, "qa/openapi.yaml") == set()
    assert result.left_out == {TEST: len(OPENAPI_FINDINGS)}


def test_python_findings_keep_their_roles_beside_contracts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tests/test_client.py": PYTHON, "tests/openapi.yaml": OPENAPI,
                          "orders/client.py": PYTHON, "scripts/seed.py": PYTHON})
    result = run(tmp_path, SELECT)
    assert found(result) == {("orders/client.py", 5, "CL101")}
    assert result.left_out == {TEST: 1 + len(OPENAPI_FINDINGS), SCRIPT: 1}


def test_the_summary_says_the_findings_were_in_test_files(tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, {"src/test/resources/openapi.yaml": OPENAPI, "tests/test_client.py": PYTHON,
                          "commlint.toml": 'select = ["CL3", "CL101"]\n'})
    monkeypatch.chdir(tmp_path)
    out = cli_invoke(["check", "--no-cache", "."])
    assert out.exit_code == 0, out.output
    assert "4 left out (4 in test files; --scope all reports them)" in out.output
    out = cli_invoke(["check", "--no-cache", "--scope", "all", "-f", "json", "."])
    data = json.loads(out.output)
    assert {f["location"]["path"] for f in data["findings"]} == {"src/test/resources/openapi.yaml",
                                                                  "tests/test_client.py"}
    assert data["summary"]["left_out"] == {}


@pytest.mark.parametrize("name,reported", [("svc/client.py", True), ("tests/test_client.py", False)])
def test_standard_input_is_judged_by_the_role_of_the_path_it_stands_for(tmp_path: Path, name: str, reported: bool) -> None:
    """``commlint check - --stdin-filename PATH`` (an editor, pre-commit on a staged blob): the
    scope applies as it would to the file at PATH in a run over the tree."""
    import subprocess
    import sys

    bad = b"import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})

    def codes(*extra: str) -> set[str]:
        p = subprocess.run([sys.executable, "-m", "commlint", "check", "--no-cache", "--isolated", "--format", "json",
                            "--select", "CL101", *extra, "-", "--stdin-filename", name],
                           cwd=tmp_path, input=bad, capture_output=True, timeout=120)
        return {f["code"] for f in json.loads(p.stdout)["findings"]}

    assert codes() == ({"CL101"} if reported else set())
    assert codes("--scope", "all") == {"CL101"}
