"""Handlers in another module: a client from the factory, headers built here without X-Request-ID."""
from fastapi import FastAPI

from orders.http import get_json, make_client

app = FastAPI()
inventory = make_client()


def auth_headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@app.get("/v1/orders/{order_id}/stock")
async def stock(order_id: str, token: str):
    await inventory.get(f"/v1/stock/{order_id}")  # expect: CL111
    return await get_json(f"/v1/stock/{order_id}", headers=auth_headers(token))
