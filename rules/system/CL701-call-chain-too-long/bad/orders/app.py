import httpx
from fastapi import FastAPI

app = FastAPI()
inventory = httpx.Client(base_url="http://inventory.shop.svc.cluster.local", timeout=5)


@app.post("/v1/orders")
def create_order(order: dict):
    stock = inventory.get(f"/v1/products/{order['product_id']}/stock")  # expect: CL701
    return {"stock": stock.json()}
