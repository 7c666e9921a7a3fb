"""Every call through a partial of another module has a timeout: bound there, or given here."""
import requests

from pricing.http import get_bounded, get_json


def refresh() -> None:
    try:
        get_json("http://catalog:8080/v1/prices", timeout=5)
        get_bounded("http://catalog:8080/v1/discounts")
    except requests.RequestException:
        pass
