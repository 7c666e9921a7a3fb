"""A factory whose client a class keeps (one per instance, built once at module level), and a
service built per request whose client nothing uses (an unused pool opens nothing)."""

import httpx
from fastapi import APIRouter

router = APIRouter()


def make_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://catalog:8000", timeout=5.0)


class Catalog:
    def __init__(self):
        self.client = make_client()

    async def item(self, item_id: str) -> dict:
        return (await self.client.get(f"/items/{item_id}")).json()


class Audit:
    def __init__(self):
        self.client = httpx.AsyncClient(timeout=5.0)


catalog = Catalog()


@router.get("/items/{item_id}")
async def item(item_id: str):
    Audit()
    return await catalog.item(item_id)
