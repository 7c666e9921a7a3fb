"""A gateway passing the incoming request's headers on: their X-Caller-Service, if any, names the
service that called the gateway, not the gateway (x-lsx/fastapi-microservices-shop's api-gateway)."""

import httpx
from fastapi import FastAPI, Request

app = FastAPI()
client = httpx.AsyncClient(base_url="http://orders:8000", timeout=2.0)


@app.get("/orders/{order_id}")
async def order(order_id: str, request: Request):
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    response = await client.get(f"/orders/{order_id}", headers=headers)  # expect: CL112
    return response.json()


@app.get("/stock/{sku}")
async def stock(sku: str, request: Request):
    response = await client.get(f"/stock/{sku}", headers={**request.headers, "X-Caller-Service": "gateway"})
    return response.json()
