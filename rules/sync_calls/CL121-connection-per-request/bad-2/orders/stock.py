import httpx
import requests

INVENTORY = "http://inventory.inventory-prod.svc.cluster.local"


def stock(product_id):
    # a pool built for one call and dropped: a new TCP connection every time
    return requests.Session().get(f"{INVENTORY}/v1/stock/{product_id}", timeout=5)  # expect: CL121


async def reserve(product_id):
    async with httpx.AsyncClient(base_url=INVENTORY, timeout=5) as client:  # expect: CL121
        return await client.post(f"/v1/stock/{product_id}/reservations")
