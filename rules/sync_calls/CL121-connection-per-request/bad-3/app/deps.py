"""FastAPI dependencies: FastAPI calls each one on every request that names it."""

from collections.abc import AsyncIterator

import httpx


async def inventory_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url="http://inventory:8000", timeout=2.0) as client:  # expect: CL121
        yield client


def pricing_client() -> httpx.Client:
    return httpx.Client(base_url="http://pricing:8000", timeout=2.0)  # expect: CL121
