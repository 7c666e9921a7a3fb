import time
import urllib.error
import urllib.request


def get_movie(url, retries: int = 3):
    attempt = 0
    while attempt < retries:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except urllib.error.HTTPError:
            attempt += 1
            time.sleep(0.5 * 2 ** attempt)
    return None


def wait_until_ready(url, deadline):
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=5).read()
        except urllib.error.URLError:
            time.sleep(1)
    return None
