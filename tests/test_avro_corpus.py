"""The Avro rules over every real-world .avsc in the corpus: no crash, no
internal error, and the invalid schemas and broken evolutions that are really
there, each at its line."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import CORPUS, REPO

spec = importlib.util.spec_from_file_location("corpus_avro", REPO / "scripts" / "corpus_avro.py")
corpus_avro = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules["corpus_avro"] = corpus_avro
spec.loader.exec_module(corpus_avro)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def result():
    if not corpus_avro.corpus_paths(CORPUS):
        pytest.skip("corpus not present")
    return corpus_avro.run(CORPUS)


def test_every_schema_is_read_without_an_engine_error(result) -> None:
    avsc = [r for r in result.files if r.rel.endswith(".avsc")]
    assert len(avsc) >= 140
    assert all(r.kind == "avro" and r.parsed for r in avsc)
    assert [f.message for f in result.findings if f.code == "CL001"] == []


def test_invalid_schemas_are_the_ones_avro_rejects(result) -> None:
    got = {(f.location.path, f.location.line) for f in result.active if f.code == "CL400"}
    assert got == {
        ("avro/apache-avro/lang/csharp/src/apache/perf/schema.avsc", 33),  # trailing comma
        ("avro/confluent-kafka-python/tests/avro/invalid_schema.avsc", 7),  # "type": "array" with items beside it
        ("avro/confluent-kafka-python/tests/integration/schema_registry/data/invalid_schema.avsc", 7),
        ("avro/demo-schemas/iot-platform/device-status/v1.avsc", 167),  # enum named like its record
        ("avro/demo-schemas/iot-platform/device-status/v2.avsc", 244),
        ("topics/julieops/src/test/resources/schemas/bar-utf-value.avsc", 6),  # non-ASCII field names
        ("topics/julieops/src/test/resources/schemas/bar-utf-value.avsc", 7),
    }


def test_types_from_sibling_files_resolve(result) -> None:
    flagged = {f.location.path for f in result.active if f.code == "CL400"}
    for rel in ("avro/apache-avro/lang/java/maven-plugin/src/test/avro/User.avsc",
                "avro/apache-avro/lang/java/compiler/src/test/idl/input/player.avsc"):
        assert rel not in flagged


def test_broken_evolutions_side_by_side(result) -> None:
    got = {(f.location.path, f.location.line) for f in result.active if f.code == "CL403"}
    full_v2 = "avro/apache-avro/lang/java/compiler/src/test/resources/full_record_v2.avsc"
    accounts = "avro/demo-schemas/fintech/accounts/v2.avsc"
    assert got == {(full_v2, 3), (full_v2, 11), (full_v2, 17), (full_v2, 22), (full_v2, 26), (full_v2, 28),
                   (accounts, 44), (accounts, 164)}
    messages = [f.message for f in result.active if f.code == "CL403" and f.location.path == accounts]
    assert all("fintech/accounts/v1.avsc" in m for m in messages)
    assert any("Account.primary_currency: field 'primary_currency' was added without a default" in m for m in messages)
