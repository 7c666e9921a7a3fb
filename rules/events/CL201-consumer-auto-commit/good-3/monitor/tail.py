"""A console tail of the orders topic: every message is only decoded and printed (as in a dashboard or a
simulated device), so committing it on delivery loses nothing a crash could leave half done."""
import json
import logging

from kafka import KafkaConsumer

log = logging.getLogger(__name__)

consumer = KafkaConsumer(
    "order.order.created",
    bootstrap_servers=["kafka:9092"],
    group_id="orders-tail",
    value_deserializer=lambda raw: json.loads(raw.decode("utf-8")),
)

for message in consumer:
    order = message.value
    print("order", order["order_id"], "for", order["customer_id"])
    log.info("offset %s", message.offset)
