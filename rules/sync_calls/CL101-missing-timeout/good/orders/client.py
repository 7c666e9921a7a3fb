import requests
import httpx

client = httpx.AsyncClient(
    base_url="http://inventory-service.inventory-prod.svc.cluster.local",
    timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=10.0),
)


async def check_stock(product_id):
    return await client.get(f"/v1/products/{product_id}/stock")


def fetch(session: requests.Session, url):
    with requests.Session() as s:
        s.get(url, timeout=(2, 5))
    return requests.get(url, timeout=5)


def quick(url, **kwargs):
    options = {"timeout": 3}
    requests.post(url, **options)
    return requests.post(url, **kwargs)
