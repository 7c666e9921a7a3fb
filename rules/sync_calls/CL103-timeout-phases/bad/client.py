import aiohttp
import httpx
import urllib3

pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0))  # expect: CL103
session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(sock_connect=2))  # expect: CL103
client = httpx.Client(timeout=httpx.Timeout(connect=2.0))  # expect: CL103
