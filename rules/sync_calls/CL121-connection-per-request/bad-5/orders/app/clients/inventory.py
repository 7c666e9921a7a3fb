"""A factory each caller uses once, and a service class whose __init__ builds a client while a
handler of another module builds the service on every request
(MicroServices-Project-Org/Python-Microservices, aliammari1/pulmocare)."""

import httpx


def get_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://inventory:8000", timeout=5.0)  # expect: CL121


async def check_stock(product_id: str) -> bool:
    async with get_client() as client:
        response = await client.get(f"/api/inventory/{product_id}/check")
        return response.json()["in_stock"]


class AppointmentService:
    def __init__(self):
        self.client = httpx.AsyncClient(base_url="http://appointments:8000", timeout=5.0)  # expect: CL121

    async def upcoming(self, doctor_id: str) -> list:
        return (await self.client.get(f"/doctors/{doctor_id}/upcoming")).json()
