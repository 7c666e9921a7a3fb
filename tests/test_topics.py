"""Topic configuration (CL6xx): each format's fixtures fire exactly on their
marked lines, the model reads every format, files without topics are left
alone, and the real corpus runs without a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, expected_markers, family_codes, found, run, write_tree

from commlint.artifacts import topics as model
from commlint.api import check_paths

FIXTURES = REPO / "fixtures" / "topics"
ALL = {"select": ["CL6", "CL001"]}
CASES = sorted(p for p in FIXTURES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(FIXTURES)) for p in CASES])
def test_fixture_fires_on_marked_lines(path: Path, tmp_path: Path) -> None:
    rel = path.name
    text = path.read_text(encoding="utf-8")
    write_tree(tmp_path, {rel: text})
    result = run(tmp_path, ALL)
    want = expected_markers({rel: text})
    assert found(result) == want, [(f.location.line, f.code, f.message) for f in result.active]
    if path.stem == "bad":
        assert want, "a bad fixture marks what must fire"


def test_every_rule_fires_in_some_fixture() -> None:
    marked = set()
    for path in CASES:
        marked |= {code for _, _, code in expected_markers({path.name: path.read_text(encoding="utf-8")})}
    assert marked == family_codes("topics")


def test_json_kubernetes_list(check_tree) -> None:
    doc = {
        "apiVersion": "v1", "kind": "List",
        "items": [
            {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
             "metadata": {"name": "orders.order.create"},
             "spec": {"partitions": 1, "config": {"retention.ms": 3600000}}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "orders"}},
        ],
    }
    result = check_tree({"topics.json": json.dumps(doc, indent=2)}, ALL)
    # "name" on line 9, "partitions" on line 12, "retention.ms" on line 14
    assert found(result) == {("topics.json", 9, "CL602"), ("topics.json", 12, "CL607"), ("topics.json", 14, "CL603")}


# -- the model ---------------------------------------------------------------------------


def test_julieops_names_join_context_other_fields_project_topic_and_datatype() -> None:
    text = (
        'context: "ctx"\ncompany: "acme"\nsource: "src"\nprojects:\n  - name: "orders"\n'
        '    topics:\n      - name: "order.created"\n        dataType: "avro"\n'
    )
    art = model.parse("d.yaml", text)
    [t] = art.topics
    assert (t.name, t.event_name, t.loc.line) == ("ctx.acme.src.orders.order.created.avro", "ctx.acme.src.orders.order.created", 7)


def test_strimzi_topic_name_overrides_metadata_name_and_terraform_reads_lines() -> None:
    art = model.parse("t.yaml", "apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata:\n  name: a-b\nspec:\n  topicName: a.b.created\n")
    assert [(t.name, t.loc.line) for t in art.topics] == [("a.b.created", 6)]
    tf = model.parse("x.tf", (FIXTURES / "terraform" / "good.tf").read_text())
    assert [(t.name, t.loc.line, t.partitions) for t in tf.topics] == [
        ("${var.env}.orders.order.created", 11, "${var.partitions}"),
        ("inventory.stock.snapshot", 25, 6),
        ("${each.key}", 34, 12),
    ]


def test_facts_carry_topics_groups_producers() -> None:
    art = model.parse("s.yaml", (FIXTURES / "kafka-gitops" / "good.yaml").read_text())
    facts = art.facts()
    json.dumps(facts)
    topic = next(t for t in facts["topics"] if t["name"] == "orders.order.updated")
    assert topic["partitions"] == 12 and topic["config"] == {"retention.ms": 604800000}
    assert sorted(topic["producers"]) == ["order-worker", "orders-service"]
    assert sorted(topic["consumer_groups"]) == ["inventory-stock", "order-worker"]
    assert {"name": "inventory-stock", "line": 38, "topics": ["orders.order.updated", "inventory.stock.snapshot"],
            "dlq": []} in facts["groups"]


@pytest.mark.parametrize(
    "name,text",
    [
        ("openapi.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ntopics: []\n"),
        ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n"),
        ("crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  names:\n    kind: KafkaTopic\n"),
        (".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
        ("docker-compose.yml", "services:\n  kafka:\n    image: apache/kafka\n"),
        ("cluster.yaml", "meta:\n  name: main\nspec:\n  bootstrapAddrs: [localhost:9092]\n"),
    ],
)
def test_files_without_topics_are_not_claimed(name: str, text: str, check_tree) -> None:
    assert not model.sniff(name, text)
    result = check_tree({name: text}, ALL)
    assert not result.findings


def test_claimed_file_without_topics_yields_nothing(check_tree) -> None:
    files = {
        "julie.yaml": 'context: "c"\nprojects:\n  - name: "p"\n    connectors: []\n',
        "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n',
        "broken.tf": 'resource "aws_s3_bucket" "b" {\n',  # no kafka_topic: never parsed
    }
    result = check_tree(files, ALL)
    assert not result.findings
    assert {r.rel: r.kind for r in result.files} == {"julie.yaml": "topics", "main.tf": "topics", "broken.tf": "topics"}


def test_documents_that_only_look_like_topic_files_yield_nothing(check_tree) -> None:
    files = {
        "repo.json": json.dumps({"name": "commlint", "topics": ["kafka", "linter"], "stars": 3}),
        "tags.yaml": "topics:\n  - kafka\n  - linter\n",
        "chart/templates/topic.yaml": (
            "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n"
            "  name: {{ .Values.prefix }}.orders.order.created\nspec:\n  partitions: {{ .Values.partitions }}\n"
        ),
    }
    assert not check_tree(files, ALL).findings
    strict = check_tree(files, {**ALL, "strict": True})
    assert {(f.location.path, f.code) for f in strict.findings} == {("chart/templates/topic.yaml", "CL001")}


def test_broken_files_become_cl001(check_tree) -> None:
    files = {
        "bad.tf": 'resource "kafka_topic" "t" {\n  name = "a.b.created"\n  partitions = \n',
        "bad.yaml": "topics:\n  - name: [unclosed\n",
    }
    result = check_tree(files, ALL)
    got = {(f.location.path, f.code) for f in result.findings}
    assert got == {("bad.tf", "CL001"), ("bad.yaml", "CL001")}, [f.message for f in result.findings]


def test_inline_suppression_in_yaml_and_hcl(check_tree) -> None:
    files = {
        "t.tf": 'resource "kafka_topic" "t" {\n  name = "ledger.entry.posted"\n'
                '  # commlint: ignore[CL607] -- the ledger needs total order\n  partitions = 1\n'
                '  config = {\n    "retention.ms" = "-1"\n  }\n}\n',
        "topics.yaml": "topics:\n  - name: orders.order.created  # commlint: ignore[CL603] -- set by the platform team\n",
    }
    result = check_tree(files, ALL)
    assert not result.active
    assert {(f.code, f.suppressed) for f in result.findings} == {
        ("CL607", "the ledger needs total order"), ("CL603", "set by the platform team")}


def test_options_change_what_fires(check_tree) -> None:
    text = "topics:\n  - name: orders.order.created\n    config:\n      retention.ms: 259200000\n"
    assert found(check_tree({"topics.yaml": text}, ALL)) == {("topics.yaml", 4, "CL603")}
    relaxed = {**ALL, "rules": {"CL603": {"min-days": 3}, "CL601": {"pattern": "^[a-z.]+$"}}}
    assert not found(check_tree({"topics.yaml": text}, relaxed))


# -- the real corpus ---------------------------------------------------------------------


def test_corpus_topics_runs_without_a_crash() -> None:
    root = CORPUS / "topics"
    if not root.is_dir():
        pytest.skip("shared corpus not present")
    from commlint.core.catalogue import load
    from commlint.core.config import build_settings

    # scope "all": the corpus's Strimzi topics are test resources (src/test/resources), left out by default
    result = check_paths([root], build_settings({**ALL, "scope": "all"}, root, load(), None), jobs=1)
    internal = [f.message for f in result.findings if f.code == "CL001"]
    assert not internal, internal
    by_path = {(_rel(f.location.path, root), f.location.line, f.code) for f in result.findings}
    regular = Path("strimzi/api/src/test/resources/io/strimzi/api/kafka/model/topic/KafkaTopic-regular.yaml")
    assert {(regular, 4, "CL601"), (regular, 8, "CL607"), (regular, 11, "CL603")} <= by_path
    claimed = {str(_rel(r.rel, root)) for r in result.files if r.kind == "topics"}
    assert not any("04-Crd-kafkatopic" in c or "/acls/" in c or "workflows" in c or "docker-compose" in c
                   for c in claimed), sorted(claimed)
    assert {code for _, _, code in by_path} >= {"CL601", "CL602", "CL603", "CL605", "CL607"}


def _rel(path: str, root: Path) -> Path:
    p = Path(path)
    for base in (root, root.resolve()):
        if p.is_relative_to(base):
            return p.relative_to(base)
    return p


def test_shop_example_fires_on_its_marked_topic_lines() -> None:
    shop = REPO / "examples" / "shop"
    files = [shop / "topics.yaml", *sorted((shop / "platform").rglob("*.yaml")), *sorted((shop / "platform").rglob("*.tf"))]
    texts = {str(p.relative_to(shop)): p.read_text(encoding="utf-8") for p in files}
    want = {m for m in expected_markers(texts) if m[2].startswith("CL6")}
    assert {code for _, _, code in want} == family_codes("topics")
    result = run(shop, ALL)
    got = {(str(Path(path).relative_to(shop)) if Path(path).is_absolute() else path, line, code)
           for path, line, code in found(result)}
    assert got == want, [(f.location.path, f.location.line, f.code, f.message) for f in result.active]


# -- hostile input: any shape under the keys the readers look at --------------------------

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=False),
                     st.sampled_from(["", "a.b.created", "${env}", "{{x}}", "compact", "-1", "1", "x.dlq"]))
_keys = st.sampled_from(["name", "topicName", "partitions", "partitionCount", "config", "configs", "settings",
                         "retention.ms", "cleanup.policy", "num.partitions", "topics", "consumers", "producers",
                         "group", "dlq", "principal", "streams", "read", "write", "labels", "plan", "dataType",
                         "services", "consumes", "produces", "group-id", "meta", "spec", "metadata", "items",
                         "retentionMinutes", "applicationId"])
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_keys, inner, max_size=5)), max_leaves=25)
_docs = st.one_of(
    st.fixed_dictionaries({"apiVersion": st.sampled_from(["kafka.strimzi.io/v1", "platform.confluent.io/v1beta1", "v1"]),
                           "kind": st.sampled_from(["KafkaTopic", "List"]), "metadata": _values, "spec": _values,
                           "items": _values}),
    st.fixed_dictionaries({"context": _scalars, "projects": _values}),
    st.fixed_dictionaries({"meta": _values, "spec": _values}),
    st.dictionaries(st.sampled_from(["topics", "consumers", "producers", "services", "settings"]), _values, min_size=1),
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_docs)
def test_any_shape_parses_and_checks_without_an_internal_error(doc) -> None:
    import yaml

    from commlint.core.catalogue import load
    from commlint.core.config import build_settings
    from commlint.rules import CHECKS, RuleContext
    from commlint.rules import topics as _checks  # noqa: F401 - registers the CL6xx checks

    art = model.parse("t.yaml", yaml.safe_dump(doc, sort_keys=False))
    json.dumps(art.facts())
    cat = load()
    s = build_settings({}, REPO, cat, None)
    for code in sorted(family_codes("topics")):
        meta = cat.by_code[code]
        CHECKS[code](RuleContext(meta, art, s.options_for(meta), s, meta.severity))
