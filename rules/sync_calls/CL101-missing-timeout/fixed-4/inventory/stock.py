"""Calls through functools.partial: what the partial binds is part of the call, and these bind no timeout."""
import functools
from functools import partial

import requests

session = requests.Session()
get_stock = partial(session.get, headers={"Accept": "application/json"})
post_reservation = functools.partial(requests.post, "http://reservations:8080/v1/reservations")


def reserve(sku: str, quantity: int) -> dict:
    stock = get_stock(f"http://stock:8080/v1/items/{sku}", timeout=5.0).json()  # expect: CL101
    if stock["available"] < quantity:
        raise ValueError(sku)
    return post_reservation(json={"sku": sku, "quantity": quantity}, timeout=5.0).json()  # expect: CL101
