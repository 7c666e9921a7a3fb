"""The consume loop, in another module, over a consumer the helper built: no duplicate detection."""
import sqlite3

from shared.kafka_consumer import get_consumer

db = sqlite3.connect("inventory.db")
consumer = get_consumer("orders.order.placed")

for message in consumer:  # expect: CL203
    order = message.value
    db.execute("UPDATE stock SET reserved = reserved + ? WHERE sku = ?", (order["quantity"], order["sku"]))
    db.commit()
    consumer.commit()
