"""The order service's HTTP API."""

from fastapi import FastAPI, Header

from .clients import InventoryClient
from .events import publish_order_created

app = FastAPI()
inventory = InventoryClient()


@app.post("/v1/orders")
def create_order(order: dict, x_request_id: str = Header()):
    # orders -> inventory -> payments -> notifications: one hop too many
    stock = inventory.stock(order["product_id"], x_request_id)
    publish_order_created(order, x_request_id)
    return {"order_id": order["id"], "stock": stock}


@app.get("/v1/orders/{order_id}")
def get_order(order_id: str):
    return {"order_id": order_id}


@app.delete("/v1/orders/{order_id}")  # expect: CL702
def delete_order(order_id: str):
    return {}
