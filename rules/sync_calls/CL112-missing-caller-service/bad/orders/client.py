import aiohttp
import urllib.request


async def charge(url, body, request_id):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.post(url, json=body, headers={"X-Request-ID": request_id}) as resp:  # expect: CL112
            return await resp.json()


def legacy(url, request_id):
    req = urllib.request.Request(url, headers={"X-Request-ID": request_id})
    return urllib.request.urlopen(req, timeout=5).read()  # expect: CL112
