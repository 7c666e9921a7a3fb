"""The inventory service's HTTP API."""

from fastapi import FastAPI, Header

from .clients import check_stock
from .payments import authorize_hold

app = FastAPI()


@app.get("/v1/products/{product_id}/stock")
async def stock(product_id: str, x_request_id: str = Header()):
    level = await check_stock(product_id, x_request_id)
    hold = authorize_hold(product_id, x_request_id)
    return {"level": level, "hold": hold}
