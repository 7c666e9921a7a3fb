"""Every call site gives the helper a timeout."""
import requests

from orders.http import fetch


def refresh_prices() -> None:
    try:
        fetch("http://pricing:8080/v1/prices", timeout=(3.05, 10))
        fetch("http://pricing:8080/v1/discounts", 2.0)
    except requests.RequestException:
        pass
