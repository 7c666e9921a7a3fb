import aiohttp
import urllib.request

CALLER = {"X-Caller-Service": "order-service"}


async def charge(url, body, request_id):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), headers=CALLER) as session:
        async with session.post(url, json=body, headers={"X-Request-ID": request_id}) as resp:
            return await resp.json()


def legacy(url, request_id):
    req = urllib.request.Request(url, headers={"X-Request-ID": request_id})
    req.add_header("x-caller-service", "order-service")
    return urllib.request.urlopen(req, timeout=5).read()
