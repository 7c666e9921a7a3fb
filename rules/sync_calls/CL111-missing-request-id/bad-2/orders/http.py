"""The service's HTTP helpers: a client factory, and a call that sends whatever headers it is given."""
import httpx

INVENTORY = "http://inventory.inventory-prod.svc.cluster.local:8080"
shared = httpx.AsyncClient(timeout=2.0)


def make_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=INVENTORY, timeout=2.0)


async def get_json(path: str, headers=None):
    response = await shared.get(INVENTORY + path, headers=headers)  # expect: CL111
    return response.json()
