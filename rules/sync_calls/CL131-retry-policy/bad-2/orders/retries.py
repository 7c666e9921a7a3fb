"""Retries written by hand, and with the retrying library: flat or linear waits, too many attempts."""
import time

import requests
from retrying import retry

PRICING = "http://pricing:8080/v1/prices"


@retry(stop_max_attempt_number=4, wait_fixed=500)  # expect: CL131
def prices():
    return requests.get(PRICING, timeout=2.0)


def stock(sku: str):
    for attempt in range(3):  # expect: CL131
        try:
            return requests.get(f"http://inventory:8080/v1/stock/{sku}", timeout=2.0)
        except requests.RequestException:
            time.sleep(0.5 * (attempt + 1))
    return None


def reserve(sku: str):
    for attempt in range(8):  # expect: CL131
        try:
            return requests.post(f"http://inventory:8080/v1/reservations/{sku}", timeout=2.0)
        except requests.RequestException:
            time.sleep(0.1 * 2 ** attempt)
    return None
