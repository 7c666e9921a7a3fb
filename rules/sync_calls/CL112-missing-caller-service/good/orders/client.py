import aiohttp
import urllib.request

PAYMENTS = "http://payments.payments-prod.svc.cluster.local/v1/charges"

CALLER = {"X-Caller-Service": "order-service"}


async def charge(body, request_id):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), headers=CALLER) as session:
        async with session.post(PAYMENTS, json=body, headers={"X-Request-ID": request_id}) as resp:
            return await resp.json()


def legacy(request_id):
    req = urllib.request.Request(PAYMENTS, headers={"X-Request-ID": request_id})
    req.add_header("x-caller-service", "order-service")
    return urllib.request.urlopen(req, timeout=5).read()
