"""Publishes through helpers (analyses/messaging/helpers.py, remote.py), RabbitMQ routing keys as topic
names, and the consume-loop cases found on held-out repositories (round 3)."""

from __future__ import annotations

import time

from conftest import found

from commlint.analyses.words import past_tense_problem

HELPER = '''
import json
from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers="kafka:9092")


def send_event(topic, payload, key=None):
    producer.send(topic, key=key, value=json.dumps(payload).encode())


def relay(topic, payload):
    send_event(topic, payload, key=b"k")


def created(order):
    send_event("order.order.created", {"event_id": "1", "order_id": order}, key=b"k")
    relay("orders", {"order_id": order})
'''


def test_a_helpers_callers_publish_what_they_pass_two_levels_deep(check_tree) -> None:
    result = check_tree({"svc/events.py": HELPER}, {"select": ["CL211", "CL214", "CL215"]})
    got = found(result)
    assert ("svc/events.py", 17, "CL215") in got  # relay("orders", ...): through relay, then send_event
    assert ("svc/events.py", 17, "CL211") in got
    assert ("svc/events.py", 16, "CL211") in got  # the envelope lacks event_type...
    assert not any(code == "CL214" for _, _, code in got)  # each call passes a key


def test_a_call_that_passes_no_key_is_reported_where_the_helper_sends(check_tree) -> None:
    text = HELPER.replace('    send_event("order.order.created", {"event_id": "1", "order_id": order}, key=b"k")',
                          '    send_event("order.order.created", {"event_id": "1", "order_id": order})')
    got = found(check_tree({"svc/events.py": text}, {"select": ["CL214"]}))
    assert got == {("svc/events.py", 16, "CL214")}


def test_a_helper_called_ten_thousand_times_is_followed_a_bounded_number_of_times(check_tree) -> None:
    calls = "\n".join(f'    send_event("t{i}", {{"n": {i}}})' for i in range(10_000))
    text = HELPER.split("def relay")[0] + "\n\ndef flood():\n" + calls + "\n"
    start = time.perf_counter()
    result = check_tree({"svc/events.py": text}, {"select": ["CL215"]})
    assert time.perf_counter() - start < 60
    assert 0 < len([f for f in result.active if f.code == "CL215"]) <= 200


ROUTING = '''
import json
import pika

channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.exchange_declare(exchange="events", exchange_type="topic")
channel.exchange_declare(exchange="audit", exchange_type="fanout")


def emit():
    channel.basic_publish(exchange="events", routing_key="OrderCreated", body=b"{}")
    channel.basic_publish(exchange="", routing_key="work_queue", body=b"{}")
    channel.basic_publish(exchange="audit", routing_key="x", body=b"{}")
    channel.queue_bind(exchange="events", queue="q", routing_key="order.*")
    channel.queue_bind(exchange="events", queue="q", routing_key="#")
    channel.queue_bind(exchange="events", queue="q", routing_key="payment_done")
'''


def test_routing_keys_of_named_exchanges_are_topic_names(check_tree) -> None:
    got = found(check_tree({"svc/rabbit.py": ROUTING}, {"select": ["CL215"]}))
    assert got == {("svc/rabbit.py", 10, "CL215"), ("svc/rabbit.py", 15, "CL215")}


REPOLL = '''
import sqlite3
from confluent_kafka import Consumer

c = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "g", "enable.auto.commit": False})
c.subscribe(["order.order.created"])
db = sqlite3.connect("orders.db")


def run():
    msg = c.poll(1.0)
    while msg:
        db.execute("INSERT INTO orders VALUES (?)", (msg.value(),))
        c.commit(msg)
        msg = c.poll(1.0)
'''


def test_the_poll_at_the_end_of_a_while_loop_is_the_same_loop(check_tree) -> None:
    got = found(check_tree({"svc/worker.py": REPOLL}, {"select": ["CL203", "CL204"]}))
    assert got == {("svc/worker.py", 10, "CL203"), ("svc/worker.py", 10, "CL204")}


def test_a_carrier_word_does_not_hide_the_command() -> None:
    assert "command" in past_tense_problem("product_create_topic")
    assert past_tense_problem("order_created_topic") is None
    assert "command" not in past_tense_problem("order_topic")


ASSIGN = '''
from confluent_kafka import Consumer, TopicPartition

ROOMS = "reserva_solicitada"
c = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "rooms", "enable.auto.commit": False})
c.assign([TopicPartition(ROOMS, 0, 0)])
'''


def test_the_topics_of_assigned_partitions_are_topic_names(check_tree) -> None:
    assert found(check_tree({"svc/rooms.py": ASSIGN}, {"select": ["CL215"]})) == {("svc/rooms.py", 3, "CL215")}


def test_a_topic_read_from_djangos_settings_is_read_in_the_settings_module(check_tree) -> None:
    files = {
        "svc/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'svc.settings')\n",
        "svc/svc/__init__.py": "",
        "svc/svc/settings.py": "KAFKA_TOPIC = 'template_render_requests'\n",
        "svc/app/__init__.py": "",
        "svc/app/worker.py": "from django.conf import settings\nfrom kafka import KafkaConsumer\n\n"
                             "c = KafkaConsumer(settings.KAFKA_TOPIC, group_id='g', enable_auto_commit=False)\n",
    }
    assert found(check_tree(files, {"select": ["CL215"]})) == {("svc/app/worker.py", 4, "CL215")}


def test_helpers_of_helpers_add_a_bounded_number_of_publishes(check_tree) -> None:
    # 20 helpers each calling the sending helper 150 times, each called 150 times: 450,000 publishes
    # if every path were followed
    inner = "\n".join(f'    send_event(topic, {{"n": {i}}})' for i in range(150))
    helpers = "\n\n".join(f"def relay{j}(topic):\n{inner}" for j in range(20))
    callers = "\n".join(f'    relay{j}("t{i}")' for j in range(20) for i in range(150))
    text = HELPER.split("def relay")[0] + "\n\n" + helpers + "\n\n\ndef flood():\n" + callers + "\n"
    start = time.perf_counter()
    check_tree({"svc/events.py": text}, {"select": ["CL215"]})
    assert time.perf_counter() - start < 60


SAVED = '''
from kafka import KafkaConsumer

from .models import Logs

consumer = KafkaConsumer("ops.log.written", group_id="logs", enable_auto_commit=False)


def run():
    for message in consumer:
        log = message.value
        record = Logs(service=log["service"], msg=log["msg"])
        record.save()
        consumer.commit()
'''


def test_saving_a_record_built_from_the_message_is_handling_it(check_tree) -> None:
    # an ORM model of another module, built from the message and saved: a duplicate is stored twice
    files = {"svc/worker.py": SAVED, "svc/models.py": "class Logs:\n    def save(self):\n        pass\n",
             "svc/__init__.py": ""}
    got = found(check_tree(files, {"select": ["CL203", "CL204"]}))
    assert got == {("svc/worker.py", 9, "CL203"), ("svc/worker.py", 9, "CL204")}
