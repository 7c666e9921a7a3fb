import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(base_url="http://inventory.inventory-prod.svc.cluster.local", timeout=5.0)


@app.get("/v1/orders/{order_id}")
def order(order_id: str):
    stock = client.get(f"/v1/products/{order_id}/stock", headers={"X-Request-ID": order_id})
    return {"order_id": order_id, "stock": stock.json()}
