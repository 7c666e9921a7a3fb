import aiohttp
import httpx
import requests

TIMEOUT = 5


def a(url):
    return requests.get(url, timeout=(2, 5))


def c(url):
    return requests.get(url, timeout=TIMEOUT)


client = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=2, sock_read=5))
