import httpx
import requests

client = httpx.Client(timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=10.0))


def fetch(url, timeout):
    requests.get(url, timeout=timeout)
    return requests.get(url, timeout=(2, 5))
