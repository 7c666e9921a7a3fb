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
