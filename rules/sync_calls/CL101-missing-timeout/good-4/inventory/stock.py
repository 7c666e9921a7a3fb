"""The same calls, the timeout bound by the partial or given at the call."""
import functools
from functools import partial

import requests

session = requests.Session()
get_stock = partial(session.get, headers={"Accept": "application/json"}, timeout=(2, 5))
post_reservation = functools.partial(requests.post, "http://reservations:8080/v1/reservations")


def reserve(sku: str, quantity: int) -> dict:
    stock = get_stock(f"http://stock:8080/v1/items/{sku}").json()
    if stock["available"] < quantity:
        raise ValueError(sku)
    return post_reservation(json={"sku": sku, "quantity": quantity}, timeout=5).json()
