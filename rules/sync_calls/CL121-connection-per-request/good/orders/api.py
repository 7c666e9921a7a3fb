import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(base_url="http://orders.orders-prod.svc.cluster.local", timeout=5)


@app.on_event("startup")
async def startup():
    app.state.inventory = httpx.AsyncClient(timeout=5)


@app.get("/v1/orders/{order_id}")
async def get_order(order_id: str):
    return (await client.get(f"/v1/orders/{order_id}")).json()
