import backoff
import httpx
import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_fixed
from urllib3.util import Retry

session = requests.Session()
session.mount("http://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.5)))  # expect: CL131
session.mount("https://", HTTPAdapter(max_retries=3))  # expect: CL131


@retry(stop=stop_after_attempt(4), wait=wait_fixed(1))  # expect: CL131
def fetch(url):
    return session.get(url, timeout=5)


@retry  # expect: CL131
def again(url):
    return session.get(url, timeout=5)


@backoff.on_exception(backoff.expo, httpx.HTTPError)  # expect: CL131
def forever(url):
    return httpx.get(url, timeout=5)
