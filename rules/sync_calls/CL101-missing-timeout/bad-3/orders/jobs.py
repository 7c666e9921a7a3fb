"""A caller in another module that passes none: the request waits forever."""
import requests

from orders.http import fetch


def refresh_prices() -> None:
    try:
        fetch("http://pricing:8080/v1/prices")  # expect: CL101
    except requests.RequestException:
        pass
