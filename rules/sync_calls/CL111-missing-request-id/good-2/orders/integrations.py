import os

import click
import httpx
import requests

SLACK_WEBHOOK = os.environ["SLACK_WEBHOOK_URL"]
JWKS_URL = "https://login.example-idp.com/.well-known/jwks.json"
CATALOG = "http://catalog.catalog-prod.svc.cluster.local"

# third-party APIs neither read nor forward the correlation ID
keys = httpx.get(JWKS_URL, timeout=5).json()


def notify(text, request_id):
    requests.post(SLACK_WEBHOOK, json={"text": text}, timeout=5)


def geocode(address):
    return requests.get("https://maps.googleapis.com/maps/api/geocode/json", params={"address": address}, timeout=5)


# no request came in: nothing to propagate
catalog = requests.get(f"{CATALOG}/v1/products", headers={"X-Caller-Service": "order-service"}, timeout=5)


@click.command()
def warm_cache():
    requests.get(f"{CATALOG}/v1/products", headers={"X-Caller-Service": "order-service"}, timeout=5)
