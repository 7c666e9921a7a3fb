import functools

import click
import requests

CERTS = None
KEYS_URL = "http://auth.auth-prod.svc.cluster.local/v1/keys"


def public_keys():
    # fetched once, then cached: not a connection per request
    global CERTS
    if CERTS is None:
        CERTS = requests.get(KEYS_URL, timeout=5).json()
    return CERTS


@functools.lru_cache(maxsize=1)
def settings():
    return requests.get("http://config.config-prod/v1/settings", timeout=5).json()


@click.command()
def sync():
    with requests.Session() as session:
        for page in range(3):
            session.get(f"http://catalog.catalog-prod/v1/products?page={page}", timeout=5)


def main():
    requests.post("http://registry.registry-prod/v1/instances", json={"name": "orders"}, timeout=5)
