import aiohttp
import urllib.request

PAYMENTS = "http://payments.payments-prod.svc.cluster.local/v1/charges"


async def charge(body, request_id):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.post(PAYMENTS, json=body, headers={"X-Request-ID": request_id}) as resp:  # expect: CL112
            return await resp.json()


def legacy(request_id):
    req = urllib.request.Request(PAYMENTS, headers={"X-Request-ID": request_id})
    return urllib.request.urlopen(req, timeout=5).read()  # expect: CL112
