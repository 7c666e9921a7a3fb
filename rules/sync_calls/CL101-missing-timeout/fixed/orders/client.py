import requests as r
import httpx
from httpx import AsyncClient as Client


def fetch(order_id):
    return r.get(f"http://orders.orders-prod.svc.cluster.local/v1/orders/{order_id}", timeout=5.0)  # expect: CL101


class Inventory:
    def __init__(self):
        self.session = r.Session()
        self.client = Client(base_url="http://inventory.inventory-prod.svc.cluster.local", timeout=5.0)  # expect: CL101

    def stock(self, product_id):
        return self.session.get(f"/v1/products/{product_id}/stock", timeout=5.0)  # expect: CL101

    async def reserve(self, product_id):
        return await self.client.post(f"/v1/products/{product_id}/reservations")


def send(url, payload):
    with httpx.Client(timeout=5.0) as client:  # expect: CL101
        return client.post(url, json=payload)


def quick(url):
    options = {"headers": {"X-Request-ID": "1"}}
    return r.post(url, **options)  # expect: CL101
