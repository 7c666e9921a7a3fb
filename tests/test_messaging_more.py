"""Messaging adapters, cases found on real repositories (bench/realrepos/messaging.toml)."""

from __future__ import annotations

from conftest import found

AIO_PIKA_DIRECT = '''
import json
import aio_pika
from app import crud


async def consume(url):
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("crm_orders", durable=True)
        async for message in queue:
            async with message.process():
                try:
                    await crud.create_customer_order(json.loads(message.body))
                except Exception as exc:
                    print(exc)
'''


def test_aio_pika_iterating_the_queue_itself_is_a_consumer(check_tree) -> None:
    # aio-pika's Queue iterates as queue.iterator() does (Freud170/IntegrationProject)
    result = check_tree({"crm/consumer.py": AIO_PIKA_DIRECT}, {"select": ["CL201", "CL202", "CL203", "CL204"]})
    assert found(result) == {("crm/consumer.py", 11, "CL203"), ("crm/consumer.py", 11, "CL204")}
    [dlq] = [f for f in result.active if f.code == "CL204"]
    assert "declared at line 10" in dlq.message


def test_iterating_a_list_of_queues_is_not_a_consumer(check_tree) -> None:
    text = AIO_PIKA_DIRECT.replace('queue = await channel.declare_queue("crm_orders", durable=True)',
                                   'queue = await fetch_names()')
    assert found(check_tree({"crm/consumer.py": text}, {"select": ["CL203", "CL204"]})) == set()


def test_nats_consumer_configs(check_tree) -> None:
    import json

    info = {"stream_name": "ORDERS", "name": "billing", "created": "2024-01-01T00:00:00Z",
            "config": {"durable_name": "billing", "ack_policy": "explicit", "deliver_policy": "all", "max_deliver": -1}}
    stream = {"name": "ORDERS", "subjects": ["orders.>"], "retention": "limits", "ack_policy": "explicit",
              "deliver_policy": "all"}
    templated = 'resource "jetstream_consumer" "c" {\n  stream_id = "x"\n  durable_name = "c"\n  max_delivery = var.max\n}\n'
    result = check_tree({"nats/billing.json": json.dumps(info, indent=2), "nats/stream.json": json.dumps(stream),
                         "nats/none.json": json.dumps({"durable_name": "m", "ack_policy": "none"}),
                         "nats/templated.tf": templated}, {"select": ["CL610"]})
    assert found(result) == {("nats/billing.json", 9, "CL610")}  # info --json: the config's max_deliver
    [f] = result.active
    assert "'billing'" in f.message and "max_deliver" in f.message


def test_sns_topics_that_carry_events(check_tree) -> None:
    tf = '''
resource "aws_sns_topic" "alerts" {
  name = "orders_alerts"
}
resource "aws_sns_topic" "lonely" {
  name = "orders"
}
resource "aws_sns_topic" "events" {
  name = "order_events"
}
resource "aws_sns_topic" "templated" {
  name = "${var.env}-orders"
}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:eu-west-1:1:q"
}
resource "aws_sns_topic_subscription" "t" {
  topic_arn = aws_sns_topic.templated.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:eu-west-1:1:q"
}
'''
    result = check_tree({"infra/sns.tf": tf}, {"select": ["CL601", "CL602", "CL610"]})
    # alerts: an alarm topic; lonely: not subscribed, not named for events; templated: not judged
    assert found(result) == {("infra/sns.tf", 8, "CL601"), ("infra/sns.tf", 8, "CL602")}


PIKA_SQL = '''
import pika
import psycopg2

db = psycopg2.connect(dsn="postgresql://likes")


def callback(ch, method, properties, body):
    page_id, count = body.decode().split(":")
    cur = db.cursor()
    cur.execute("UPDATE likes SET likes_count = %s WHERE page_id = %s", (count, page_id))
    db.commit()
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
channel.basic_consume(queue="likes", on_message_callback=callback)
'''


def test_sql_that_turns_a_duplicate_away_is_the_idempotency_store(check_tree) -> None:
    # josethz00/distributed-like-counter: an absolute UPDATE is still reported (an older count
    # redelivered after a newer one writes a stale value); an insert that ignores an existing key is not
    assert found(check_tree({"w/main.py": PIKA_SQL}, {"select": ["CL203"]})) == {("w/main.py", 16, "CL203")}
    for sql in ("INSERT INTO processed (event_id, page_id, n) VALUES (%s, %s, %s) ON CONFLICT (event_id) DO NOTHING",
                "DELETE FROM likes WHERE page_id = %s"):
        text = PIKA_SQL.replace("UPDATE likes SET likes_count = %s WHERE page_id = %s", sql)
        assert found(check_tree({"w/main.py": text}, {"select": ["CL203"]})) == set(), sql
    upsert = "INSERT INTO likes VALUES (%s, %s) ON CONFLICT (page_id) DO UPDATE SET likes_count = EXCLUDED.likes_count"
    text = PIKA_SQL.replace("UPDATE likes SET likes_count = %s WHERE page_id = %s", upsert)
    assert found(check_tree({"w/main.py": text}, {"select": ["CL203"]})) == {("w/main.py", 16, "CL203")}


def test_a_log_record_published_to_a_queue_is_not_an_event(check_tree) -> None:
    # Freud170/IntegrationProject's interaction log: a timestamp and a source name a job or a log
    # record as well as an event; only event_id / event_type / event_version make it one
    text = '''
import json
import aio_pika


async def log(channel, target):
    entry = {"timestamp": "2024-01-01T00:00:00Z", "source_system": "crm", "target_system": target}
    exchange = await channel.declare_exchange("logging_exchange", aio_pika.ExchangeType.FANOUT)
    await exchange.publish(aio_pika.Message(body=json.dumps(entry).encode()), routing_key="logging_events")


async def placed(channel, order):
    event = {"event_type": "order.placed", "timestamp": "2024-01-01T00:00:00Z", "data": order}
    exchange = await channel.declare_exchange("orders", aio_pika.ExchangeType.TOPIC)
    await exchange.publish(aio_pika.Message(body=json.dumps(event).encode()), routing_key="orders.order.placed")
'''
    assert found(check_tree({"crm/log.py": text}, {"select": ["CL211"]})) == {("crm/log.py", 12, "CL211")}


def test_faststream_injected_parameters_are_not_the_message(check_tree) -> None:
    # aSel1x/FastStream_Template: service is dishka's, so service.user.create(data) is the app's
    # own code in another module (a note under --strict), not a method of the message
    text = '''
from dishka.integrations.faststream import FromDishka, inject
from faststream.rabbit import RabbitRouter

from app.usecases import Services

router = RabbitRouter()


@router.subscriber("create", "user")
@router.publisher("response", "user")
@inject
async def user_create(data: dict, service: FromDishka[Services]):
    return await service.user.create(data)
'''
    assert found(check_tree({"app/user.py": text}, {"select": ["CL203", "CL204"]})) == set()
    result = check_tree({"app/user.py": text}, {"select": ["CL203"], "strict": True})
    assert [(f.code, f.severity.label) for f in result.active] == [("CL203", "note")]


def test_the_broker_libraries_are_those_of_the_model_and_its_adapters() -> None:
    """``analyses.brokers`` says which modules may message without importing the model: its
    lists must be the model's (the Kafka clients' ROLES) and the adapters' libraries."""
    from commlint.analyses import brokers
    from commlint.analyses.kafka.model import ROLES
    from commlint.analyses.messaging import faststream, nats, rabbitmq, sqs

    assert brokers.KAFKA_LIBRARIES == set(ROLES)
    assert brokers.LIBRARIES == set(ROLES) | rabbitmq.LIBRARIES | sqs.LIBRARIES | {"faststream", "nats"}
    for adapter, library in ((faststream, "faststream"), (nats, "nats")):  # the two that name one package
        assert library in adapter.applies.__code__.co_consts


def test_a_module_that_messages_nothing_does_not_import_the_messaging_model(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    (tmp_path / "svc.py").write_text("import requests\n\ndef f():\n    return requests.get('http://a/b')\n")
    code = ("import sys; from commlint.api import check_paths; r = check_paths([sys.argv[1]]); "
            "assert r.findings; print(sorted(m for m in sys.modules if m.startswith('commlint.analyses.')))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert "commlint.analyses.messaging" not in out and "commlint.analyses.kafka" not in out, out


STARRED_TOPICS = '''
import json
from aiokafka import AIOKafkaConsumer
from app.schemas import UserDeleted
from app.service import delete_resumes

TOPICS = ["users.user.deleted"]


async def handle_user_deleted(event):
    await delete_resumes(event.user_id)


HANDLERS = {"users.user.deleted": (UserDeleted, handle_user_deleted)}


async def consume():
    consumer = AIOKafkaConsumer(*TOPICS, group_id="resumes")
    await consumer.start()
    async for msg in consumer:
        model_cls, handler = HANDLERS[msg.topic]
        try:
            await handler(model_cls(**json.loads(msg.value)))
        except Exception:
            pass
'''
SCHEMAS = "from pydantic import BaseModel\n\n\nclass UserDeleted(BaseModel):\n    user_id: int\n"


def test_topics_passed_starred_and_a_handler_unpacked_from_a_table_with_its_model(check_tree) -> None:
    """wsdm777/fastapi-microservices (held-out labels): ``AIOKafkaConsumer(*TOPICS, ...)`` is still a
    consumer of TOPICS (CL201: auto-commit left on), and ``model_cls, handler = HANDLERS[topic]``
    is followed: the model decodes, the handler is this module's (CL204: no dead-letter path)."""
    result = check_tree({"app/consumer.py": STARRED_TOPICS, "app/schemas.py": SCHEMAS,
                         "app/service.py": "async def delete_resumes(user_id):\n    return user_id\n"},
                        {"select": ["CL201", "CL204"]})
    assert found(result) == {("app/consumer.py", 17, "CL201"), ("app/consumer.py", 19, "CL204")}


def test_decoding_into_a_model_of_another_module_does_not_hide_the_handler(check_tree) -> None:
    code = '''
import json
from kafka import KafkaConsumer
from app.schemas import UserDeleted


def handle(event):
    print(event.user_id)


def consume():
    consumer = KafkaConsumer("users.user.deleted", group_id="g", enable_auto_commit=False)
    for msg in consumer:
        handle(UserDeleted(**json.loads(msg.value)))
        consumer.commit()
'''
    result = check_tree({"app/consumer.py": code, "app/schemas.py": SCHEMAS}, {"select": ["CL204"]})
    assert found(result) == {("app/consumer.py", 12, "CL204")}
    # a class that is no data model may be anything: the loop hands the message to another module
    result = check_tree({"app/consumer.py": code, "app/schemas.py": "class UserDeleted:\n    pass\n"},
                        {"select": ["CL204"]})
    assert found(result) == set()


WRAPPED_STORE = '''
import json
import pika
from app.mongo import MongoClientService


def handle(ch, method, properties, body):
    data = json.loads(body)
    db = MongoClientService().db
    db.notifications.insert_one({"id": data["id"], "event": data["event"]})
    ch.basic_ack(delivery_tag=method.delivery_tag)


def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.queue_declare(queue="notifications", durable=True)
    channel.basic_consume(queue="notifications", on_message_callback=handle)
    channel.start_consuming()
'''


def test_a_store_drivers_method_on_a_wrapper_of_the_tree_is_the_stores_work(check_tree) -> None:
    """aliammari1/pulmocare (held-out labels): ``db = MongoDBClient(Config).db; db.x.insert_one(...)``
    hands the message to no other code, so the handler is judged (CL203: no duplicate check;
    CL204: the queue declared here has no dead-letter exchange)."""
    result = check_tree({"app/consumer.py": WRAPPED_STORE,
                         "app/mongo.py": "class MongoClientService:\n    db = None\n"},
                        {"select": ["CL203", "CL204"]})
    assert found(result) == {("app/consumer.py", 16, "CL203"), ("app/consumer.py", 16, "CL204")}


TABLE_LOOP = '''
import json


class Consumer:
    def __init__(self, channel):
        self.channel = channel
        self.handlers = {"appointment.requests": self.on_request}

    async def start(self):
        queue = await self.channel.declare_queue("appointment.requests", durable=True)
        await queue.consume(self.process)

    async def process(self, message):
        data = json.loads(message.body)
        handler = None
        for key, h in self.handlers.items():
            if message.routing_key.startswith(key):
                handler = h
        if handler:
            await handler(data)
        await message.ack()

    async def on_request(self, data):
        await self.channel.default_exchange.publish(data, routing_key="appointments.appointment.requested")
'''


def test_a_handler_found_by_iterating_the_table_is_followed(check_tree) -> None:
    """``for key, h in self.handlers.items(): handler = h``: every entry is followed."""
    result = check_tree({"app/consumer.py": "import aio_pika\n" + TABLE_LOOP}, {"select": ["CL203"]})
    assert found(result) == {("app/consumer.py", 13, "CL203")}


def test_pikas_api_on_a_channel_a_module_of_the_tree_builds(check_tree) -> None:
    """nataliechua/esd-project (held-out labels): ``amqp_setup.channel.basic_consume(...)``, the
    channel built with pika in amqp_setup.py; the consuming module never imports pika."""
    setup = ('import pika\n\nconnection = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq"))\n'
             'channel = connection.channel()\nchannel.queue_declare(queue="Send_message", durable=True)\n')
    consumer = '''import amqp_setup


def receive():
    amqp_setup.channel.basic_consume(queue="Send_message", on_message_callback=callback, auto_ack=True)
    amqp_setup.channel.start_consuming()


def callback(channel, method, properties, body):
    print(body)
    send_sms(body)
'''
    result = check_tree({"amqp_setup.py": setup, "twilio_message.py": consumer}, {"select": ["CL201"]})
    assert found(result) == {("twilio_message.py", 5, "CL201")}


LOCAL_HELPERS = '''
import json
from kafka import KafkaConsumer
from twilio.rest import Client

sms = Client("sid", "token")


def decode_message(body):
    text = body.decode("utf-8")
    print(text)
    send_sms(text)


def send_sms(text):
    sms.messages.create(body=text, to="+100", from_="+200")


def parse_event(body):
    return json.loads(body)


def consume():
    consumer = KafkaConsumer("notifications.sms.requested", group_id="sms", enable_auto_commit=False)
    for msg in consumer:
        decode_message(msg.value)
        consumer.commit()


def audit():
    consumer = KafkaConsumer("notifications.sms.sent", group_id="audit", enable_auto_commit=False)
    for msg in consumer:
        print(parse_event(msg.value))
        consumer.commit()
'''


def test_a_helper_of_the_module_is_judged_by_what_it_does_not_by_its_name(check_tree) -> None:
    """nataliechua/esd-project (held-out labels): ``decode_message(body)`` sends an SMS through
    ``send_sms``: handling, not decoding (CL203, CL204); ``parse_event`` only parses."""
    result = check_tree({"app/consumer.py": LOCAL_HELPERS}, {"select": ["CL203", "CL204"]})
    assert found(result) == {("app/consumer.py", 24, "CL203"), ("app/consumer.py", 24, "CL204")}


NOTIFY = '''
import asyncio
import json
from functools import partial

import pika

notifications = asyncio.Queue()


def received(ch, method, properties, body, kind):
    message = json.loads(body)
    notifications.put_nowait(f"order {message['id']} {kind}")


def main():
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbitmq")).channel()
    channel.queue_declare(queue="orders_created_notify", durable=True)
    channel.basic_consume(queue="orders_created_notify", on_message_callback=partial(received, kind="created"),
                          auto_ack=False)
    channel.start_consuming()


def batch(ch, method, properties, body):
    pending = []
    pending.append(json.loads(body))
    print(len(pending))
'''


def test_a_message_handed_to_a_queue_other_code_reads_is_handled(check_tree) -> None:
    """AlexandrePadilhaa/Ecommerce_SD (held-out labels): ``notifications.put_nowait(...)`` on a
    module-level asyncio.Queue that a streaming endpoint reads: each message is handled there, so a
    duplicate is a duplicate notification (CL203) and the queue has no dead-letter setting (CL204).
    A local list the handler fills itself is no hand-off."""
    result = check_tree({"notify/app.py": NOTIFY}, {"select": ["CL203", "CL204"]})
    assert found(result) == {("notify/app.py", 18, "CL203"), ("notify/app.py", 18, "CL204")}
