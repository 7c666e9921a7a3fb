import httpx
import pybreaker
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(base_url="http://inventory.inventory-prod.svc.cluster.local", timeout=5.0)
inventory_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@app.get("/v1/orders/{order_id}")
def order(order_id: str):
    stock = inventory_breaker.call(client.get, f"/v1/products/{order_id}/stock", headers={"X-Request-ID": order_id})
    return {"order_id": order_id, "stock": stock.json()}
