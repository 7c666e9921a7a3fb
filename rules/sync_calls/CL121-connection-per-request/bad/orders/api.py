import httpx
import requests
from fastapi import FastAPI

app = FastAPI()


def fetch(url):
    return requests.get(url, timeout=5)  # expect: CL121


@app.get("/v1/orders/{order_id}")
async def get_order(order_id: str):
    async with httpx.AsyncClient(timeout=5) as client:  # expect: CL121
        return (await client.get(f"http://orders.orders-prod/v1/orders/{order_id}")).json()


def sync_all(urls):
    for url in urls:
        with requests.Session() as s:  # expect: CL121
            s.get(url, timeout=5)
