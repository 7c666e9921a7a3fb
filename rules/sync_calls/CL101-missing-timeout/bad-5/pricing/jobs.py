"""Callers in another module: the partial they call binds no timeout, and they give none."""
import requests

from pricing.http import get_bounded, get_json


def refresh() -> None:
    try:
        get_json("http://catalog:8080/v1/prices")  # expect: CL101
        get_bounded("http://catalog:8080/v1/discounts")
    except requests.RequestException:
        pass
