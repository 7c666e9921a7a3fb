import httpx
import requests

from .context import current_request_id, default_headers

request_id = current_request_id()

client = httpx.AsyncClient(
    base_url="http://inventory-service.inventory-prod.svc.cluster.local",
    timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=10.0),
    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
)


async def check_stock(product_id: str) -> StockLevel:
    response = await client.get(
        f"/v1/products/{product_id}/stock",
        headers={"X-Request-ID": request_id, "X-Caller-Service": "order-service"},
    )
    response.raise_for_status()
    return StockLevel(**response.json()["data"])


async def add_ids(request):
    request.headers["X-Request-ID"] = current_request_id()


hooked = httpx.AsyncClient(timeout=5, event_hooks={"request": [add_ids]})
session = requests.Session()
session.headers["x-request-id"] = request_id


async def reserve(product_id):
    await hooked.post(f"/v1/products/{product_id}/reservations")
    session.post("http://inventory.inventory-prod/v1/reservations", timeout=5)
    return requests.get("http://inventory.inventory-prod/v1/stock", headers=default_headers(), timeout=5)
