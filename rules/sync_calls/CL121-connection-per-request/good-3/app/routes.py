from typing import Annotated

import httpx
from fastapi import APIRouter, Depends

from app.deps import inventory_client, pricing_client

router = APIRouter()


@router.get("/stock/{sku}")
async def stock(sku: str, client: Annotated[httpx.AsyncClient, Depends(inventory_client)]) -> dict:
    response = await client.get(f"/stock/{sku}", headers={"X-Request-ID": sku, "X-Caller-Service": "shop"})
    return response.json()


@router.get("/price/{sku}")
def price(sku: str, client: httpx.Client = Depends(pricing_client)) -> dict:
    return client.get(f"/price/{sku}", headers={"X-Request-ID": sku, "X-Caller-Service": "shop"}).json()
