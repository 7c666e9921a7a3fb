"""The inventory service follows the standard's own REST client example."""

import httpx

client = httpx.AsyncClient(
    base_url="http://warehouse.warehouse-prod.svc.cluster.local",
    timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=10.0),
    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
)


async def check_stock(product_id: str, request_id: str) -> dict:
    response = await client.get(
        f"/v1/products/{product_id}/stock",
        headers={"X-Request-ID": request_id, "X-Caller-Service": "inventory-service"},
    )
    response.raise_for_status()
    return response.json()["data"]
