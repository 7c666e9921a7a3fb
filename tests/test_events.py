"""CL2xx: Kafka consumers, producers, events, sagas and pitfalls in Python code.

The catalogue examples (tests/test_examples.py) pin each rule alone; here the
fixtures under fixtures/events/ (a realistic consumer of each client library,
bad and good, and the standard's own snippets) run with the whole family, so
every rule's findings on every line are pinned together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, expected_markers, family_codes, found, run, write_tree

from commlint.artifacts import python as py
from commlint.analyses.kafka import build as events

FIXTURES = REPO / "fixtures" / "events"
FAMILY = {"select": ["CL2"]}
CODES = family_codes("events")


def _fixture_cases() -> list[Path]:
    return sorted(FIXTURES.glob("*.py"))


@pytest.mark.parametrize("path", _fixture_cases(), ids=lambda p: p.stem)
def test_fixture_fires_exactly_on_marked_lines(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    files = {path.name: text}
    write_tree(tmp_path, files)
    result = run(tmp_path, FAMILY)
    assert not [f for f in result.active if f.code == "CL001"], [f.message for f in result.active]
    want = expected_markers(files)
    got = found(result, CODES)
    assert got == want, f"missing {sorted(want - got)}, unexpected {sorted(got - want)}"
    if path.stem.endswith("_good"):
        assert not want, "a good fixture marks nothing"


def test_every_rule_fires_in_some_fixture() -> None:
    marked = set()
    for path in _fixture_cases():
        marked |= {code for _, _, code in expected_markers({path.name: path.read_text(encoding="utf-8")})}
    from commlint.core.catalogue import load

    # the family as CL2 selects it: opt-in notes (CL223, CL224) are pinned by their examples and
    # tests/test_shared_contracts.py
    family = {r.code for r in load().rules if r.family == "events" and r.default_enabled}
    assert family - marked <= {"CL221", "CL232"}, f"no fixture exercises {sorted(family - marked - {'CL221', 'CL232'})}"


def _module(text: str, path: str = "svc/consumer.py") -> py.PyModule:
    return py.parse(path, text)


def test_topic_facts_list_what_a_module_produces_and_consumes() -> None:
    m = _module(
        'from confluent_kafka import Consumer, Producer\n'
        'TOPIC = "order.order.created"\n'
        'c = Consumer({"group.id": "g", "enable.auto.commit": False})\n'
        'c.subscribe([TOPIC, "payment.transaction.failed"])\n'
        'p = Producer({})\n'
        'p.produce("inventory.stock.reserved", key="k", value=b"")\n'
    )
    events.kafka(m)
    facts = m._cache["facts.topics"]  # what the module's facts hand to cross-file rules
    assert [(f["topic"], f["line"]) for f in facts["produces"]] == [("inventory.stock.reserved", 6)]
    assert sorted((f["topic"], f["line"]) for f in facts["consumes"]) == [
        ("order.order.created", 2), ("payment.transaction.failed", 4)]


def test_clients_resolve_through_aliases_annotations_and_names() -> None:
    m = _module(
        "import confluent_kafka as ck\n"
        "from aiokafka import AIOKafkaConsumer as C\n"
        "a = ck.Consumer({'group.id': 'g'})\n"
        "b = C('t', group_id='g')\n"
        "def f(consumer: ck.Consumer, producer):\n"
        "    consumer.poll(1.0)\n"
        "    producer.produce('t', b'v', key='k')\n"
    )
    k = events.kafka(m)
    assert [(c.library, c.role) for c in k.clients] == [("confluent_kafka", "consumer"), ("aiokafka", "consumer")]
    assert [lp.client.library for lp in k.loops] == ["confluent_kafka"]  # the annotated parameter
    assert len(k.produces) == 1 and k.produces[0].client.library == ""  # named like a producer


def test_config_built_in_the_module_is_read(check_tree) -> None:
    result = check_tree({
        "a.py": (
            "from confluent_kafka import Consumer\n"
            "conf = {'group.id': 'g'}\n"
            "conf.update({'enable.auto.commit': False})\n"
            "ok = Consumer(conf)\n"
            "c2 = {'group.id': 'g'}\n"
            "c2['enable.auto.commit'] = True\n"
            "bad = Consumer(c2)\n"
            "kw = Consumer(**{'group.id': 'g'})\n"
        )
    }, {"select": ["CL201"]})
    assert found(result) == {("a.py", 6, "CL201"), ("a.py", 8, "CL201")}


def test_metadata_only_consumer_is_not_auto_commit(check_tree) -> None:
    result = check_tree({
        "a.py": (
            "import confluent_kafka\n"
            "consumer = confluent_kafka.Consumer({'group.id': 'g'})\n"
            "print(consumer.committed([]))\n"
        )
    }, {"select": ["CL201"]})
    assert found(result) == set()


def test_unknown_config_and_handlers_are_notes_only_under_strict(check_tree) -> None:
    files = {
        "a.py": (
            "from confluent_kafka import Consumer\n"
            "from .handlers import handle\n"
            "def run(settings):\n"
            "    c = Consumer(settings)\n"
            "    while True:\n"
            "        msg = c.poll(1.0)\n"
            "        handle(msg)\n"
        )
    }
    assert found(check_tree(files, FAMILY)) == set()
    strict = check_tree(files, {**FAMILY, "strict": True})
    assert found(strict) == {("a.py", 4, "CL201"), ("a.py", 6, "CL203"), ("a.py", 6, "CL204")}
    assert {f.severity.label for f in strict.active} == {"note"}


def test_idempotency_and_dlq_names_are_options(check_tree) -> None:
    files = {
        "a.py": (
            "from kafka import KafkaConsumer\n"
            "c = KafkaConsumer('order.order.created', group_id='g', enable_auto_commit=False)\n"
            "def handle(event):\n"
            "    if ledger.seen(event['event_id']):\n"
            "        return\n"
            "    ledger.remember(event['event_id'])\n"
            "    try:\n"
            "        charge(event)\n"
            "    except Exception:\n"
            "        park(event)\n"
            "for msg in c:\n"
            "    handle(msg.value)\n"
        )
    }
    assert found(check_tree(files, FAMILY)) == {("a.py", 11, "CL203"), ("a.py", 11, "CL204")}
    config = {**FAMILY, "rules": {"CL203": {"check-functions": ["seen"], "mark-functions": ["remember"]},
                                  "CL204": {"dlq-functions": ["park"]}}}
    assert found(check_tree(files, config)) == set()


def test_check_without_mark_is_reported(check_tree) -> None:
    result = check_tree({
        "a.py": (
            "from kafka import KafkaConsumer\n"
            "c = KafkaConsumer('order.order.created', group_id='g', enable_auto_commit=False)\n"
            "def apply(event):\n"
            "    ...\n"
            "for msg in c:\n"
            "    if store.is_processed(msg.value['event_id']):\n"
            "        continue\n"
            "    apply(msg.value)\n"
        )
    }, {"select": ["CL203"]})
    assert found(result) == {("a.py", 5, "CL203")}
    assert "never records" in result.active[0].message


def test_saga_step_shape_is_configurable(check_tree) -> None:
    files = {"saga.py": "saga = Saga()\nsaga.step(reserve, undo=release)\nsaga.step(charge)\n"}
    assert found(check_tree(files, {"select": ["CL221"]})) == set()
    config = {"select": ["CL221"], "rules": {"CL221": {"step-calls": ["step"]}}}
    assert found(check_tree(files, config)) == {("saga.py", 3, "CL221")}


def test_past_tense_word_lists_are_options(check_tree) -> None:
    files = {"a.py": "event = {'event_type': 'order.snapshot', 'data': {}}\nother = {'event_type': 'order.fulfilment', 'data': {}}\n"}
    assert found(check_tree(files, {"select": ["CL212"]})) == {("a.py", 2, "CL212")}
    config = {"select": ["CL212"], "rules": {"CL212": {"past-words": ["fulfilment"]}}}
    assert found(check_tree(files, config)) == set()


def test_a_past_tense_finding_names_the_key_that_holds_the_event(check_tree) -> None:
    files = {"p.py": "from kafka import KafkaProducer\n\nproducer = KafkaProducer()\n\n\n"
                     "def go(k):\n    producer.send('a.b.created', {'event': 'dispatch', 'k': k}, key=k)\n"
                     "    producer.send('a.b.created', {'event_type': 'register', 'k': k}, key=k)\n"}
    messages = sorted(f.message.split(":")[0] for f in check_tree(files, {"select": ["CL212"]}).findings)
    assert [m.split(" ")[0] for m in messages] == ["event", "event_type"], messages


def test_semver_can_require_patch(check_tree) -> None:
    files = {"a.py": "e = {'event_type': 'order.created', 'event_version': '1.0', 'data': {}}\n"}
    assert found(check_tree(files, {"select": ["CL213"]})) == set()
    config = {"select": ["CL213"], "rules": {"CL213": {"require-patch": True}}}
    assert found(check_tree(files, config)) == {("a.py", 1, "CL213")}


def test_request_reply_needs_the_reply_to_be_waited_for(check_tree) -> None:
    files = {
        "a.py": (
            "from aiokafka import AIOKafkaConsumer, AIOKafkaProducer\n"
            "producer = AIOKafkaProducer()\n"
            "replies = AIOKafkaConsumer('pricing.price.calculated', group_id='g', enable_auto_commit=False)\n"
            "async def ask(order):\n"
            "    await producer.send_and_wait('pricing.price.requested', b'', key=order)\n"
            "    return await replies.getone()\n"
            "async def announce():\n"
            "    await producer.send_and_wait('pricing.service.started', b'', key=b'pricing')\n"
            "    async for msg in replies:\n"
            "        print(msg)\n"
        )
    }
    assert found(check_tree(files, {"select": ["CL231"]})) == {("a.py", 6, "CL231")}


def test_two_phase_commit_sqlalchemy(check_tree) -> None:
    files = {"a.py": "from sqlalchemy.orm import sessionmaker\nSession = sessionmaker(twophase=True)\n"}
    assert found(check_tree(files, {"select": ["CL232"]})) == {("a.py", 2, "CL232")}


@pytest.mark.parametrize("text", [
    "import kafka\n" + "x = (" * 400 + "1" + ")" * 400 + "\n",
    "from kafka import KafkaConsumer\ndef f(:\n",
    "from confluent_kafka import Consumer\nc = Consumer(**{1: 2}, *[])\nfor m in c: pass\n",
    "from confluent_kafka import Producer\np = Producer()\np.produce()\np.produce(*a, **k)\n",
])
def test_hostile_input_is_a_finding_not_a_crash(text: str, check_tree) -> None:
    result = check_tree({"a.py": text}, FAMILY)
    for f in result.active:
        assert f.code in CODES or (f.code == "CL001" and "internal error" not in f.message), f.message


def test_names_that_merely_contain_consumer_are_not_clients() -> None:
    m = _module(
        "import kafka\n"
        "def run(args, consumer_config):\n"
        "    for prop in args.consumer_config:\n"
        "        print(prop)\n"
        "    for item in consumer_config:\n"
        "        apply(item)\n"
    )
    assert events.kafka(m).loops == []


def test_calls_before_the_message_arrives_do_not_handle_it(check_tree) -> None:
    # produce, then read back one message and print it: nothing is processed, nothing to deduplicate
    files = {
        "a.py": (
            "from aiokafka import AIOKafkaConsumer, AIOKafkaProducer\n"
            "async def smoke(producer: AIOKafkaProducer):\n"
            "    await producer.send_and_wait('ops.smoke.tested', b'x', key=b'k')\n"
            "    consumer = AIOKafkaConsumer('ops.smoke.tested', group_id='g', enable_auto_commit=False)\n"
            "    msg = await consumer.getone()\n"
            "    print(msg)\n"
        )
    }
    assert found(check_tree(files, {"select": ["CL203", "CL204"]})) == set()


S3_WORKER = """import json
import boto3
s3 = boto3.client("s3")
sqs = boto3.client("sqs")
URL = "https://sqs.eu-west-1.amazonaws.com/1/images"
def convert(src, dst):
    {helper}
def main():
    while True:
        for message in sqs.receive_message(QueueUrl=URL).get("Messages", []):
            body = json.loads(message["Body"])
            src, dst = "/tmp/" + body["key"], "/tmp/" + body["key"] + ".jpg"
            s3.download_file(body["bucket"], body["key"], src)
            convert(src, dst)
            s3.upload_file(dst, body["bucket"], body["key"] + ".jpg")
            sqs.delete_message(QueueUrl=URL, ReceiptHandle=message["ReceiptHandle"])
"""


@pytest.mark.parametrize("helper, fires", [
    ("open(dst, 'wb').write(open(src, 'rb').read())", False),   # local work between two object-store calls
    ("Image.open(src).save(dst, 'JPEG')", False),                # a file saved by path
    ("db.session.add(Conversion(src=src))", True),               # a database row per delivery: a duplicate
    ("requests.post('http://billing/v1/charges', json={'src': src})", True),
])
def test_object_store_puts_and_local_work_are_naturally_idempotent(helper: str, fires: bool, check_tree) -> None:
    result = check_tree({"worker.py": S3_WORKER.format(helper=helper)}, {"select": ["CL203"]})
    assert bool(found(result)) is fires, found(result)
