"""A model worker registering with its controller (as aliammari1/pulmocare's LLaVA worker does)."""
import asyncio
import logging
import time

import aiohttp
import requests

logger = logging.getLogger(__name__)


def send_heart_beat(controller, worker):
    while True:  # expect: CL131
        try:
            ret = requests.post(f"{controller}/receive_heart_beat", json={"worker_name": worker}, timeout=5)
            exist = ret.json()["exist"]
            break
        except requests.exceptions.RequestException as e:
            logger.error(f"heart beat error: {e}")
        time.sleep(5)
    return exist


async def fetch_config(client: aiohttp.ClientSession, url):
    while True:  # expect: CL131
        try:
            async with client.get(url, timeout=5) as response:
                return await response.json()
        except OSError:
            await asyncio.sleep(1)
