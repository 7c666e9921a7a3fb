import httpx
from fastapi import FastAPI

app = FastAPI()
inventory = httpx.Client(base_url="http://inventory.shop.svc.cluster.local", timeout=5)


@app.post("/v1/orders")
def create_order(order: dict):
    return inventory.get(f"/v1/products/{order['product_id']}/stock").json()
