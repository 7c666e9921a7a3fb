import backoff
import httpx
import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_exponential, wait_random
from urllib3.util import Retry

session = requests.Session()
session.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
transport = httpx.HTTPTransport(retries=3)


@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.5) + wait_random(0, 1))
def fetch(url):
    return session.get(url, timeout=5)


@backoff.on_exception(backoff.expo, httpx.HTTPError, max_tries=4)
def bounded(url):
    return httpx.get(url, timeout=5)
