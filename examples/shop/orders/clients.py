"""Outbound calls the order service makes while handling a request."""

import httpx
import requests

INVENTORY = "http://inventory.inventory-prod.svc.cluster.local"
NO_LIMIT = None


class InventoryClient:
    def __init__(self):
        # a Session is pooled, but requests has no client-wide timeout
        self.session = requests.Session()

    def stock(self, product_id, request_id):
        return self.session.get(  # expect: CL101, CL701
            f"{INVENTORY}/v1/products/{product_id}/stock",
            headers={"X-Request-ID": request_id, "X-Caller-Service": "order-service"},
        ).json()


payments = httpx.Client(
    base_url="http://payments.payments-prod.svc.cluster.local",
    timeout=httpx.Timeout(5.0, connect=NO_LIMIT),  # expect: CL102
)


def charge(order_id, amount, request_id):
    response = payments.post(
        f"/v1/orders/{order_id}/charges",
        json={"amount": amount},
        headers={"X-Request-ID": request_id, "X-Caller-Service": "order-service"},
    )
    response.raise_for_status()
    return response.json()
