"""One client for the process, built at start-up; the dependency hands it out."""

from contextlib import asynccontextmanager
from functools import lru_cache

import httpx
from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.inventory = httpx.AsyncClient(base_url="http://inventory:8000", timeout=2.0)
    yield
    await app.state.inventory.aclose()


def inventory_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.inventory


@lru_cache
def pricing_client() -> httpx.Client:
    return httpx.Client(base_url="http://pricing:8000", timeout=2.0)


def make_report_client() -> httpx.Client:
    """Used by a nightly command, not by a route."""
    return httpx.Client(base_url="http://reports:8000", timeout=30.0)
