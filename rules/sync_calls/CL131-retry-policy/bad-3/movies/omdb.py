import time
import urllib.error
import urllib.request


def get_movie(url, retries: int = 3):
    attempt = 0
    while attempt < retries:  # expect: CL131
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except urllib.error.HTTPError:
            attempt += 1
            time.sleep(5)
    return None
