import httpx
from fastapi import FastAPI

app = FastAPI()
warehouse = httpx.Client(base_url="http://warehouse.shop.svc.cluster.local", timeout=5)


@app.get("/v1/products/{product_id}/stock")
def stock(product_id: str):
    return warehouse.get(f"/v1/bins/{product_id}").json()
