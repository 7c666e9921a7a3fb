import aiohttp
import httpx
import requests

TIMEOUT = None


def a(url):
    return requests.get(url, timeout=None)  # expect: CL102


def b(url):
    return requests.get(url, timeout=(3, None))  # expect: CL102


def c(url):
    return requests.get(url, timeout=TIMEOUT)  # expect: CL102


client = httpx.Client(timeout=httpx.Timeout(None))  # expect: CL102
other = httpx.Client(timeout=httpx.Timeout(5, connect=None))  # expect: CL102
session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))  # expect: CL102
