"""The same script, but the function runs once per run id (in a loop) and is handed to a pool:
each call opens its own connection."""

import argparse
from concurrent.futures import ThreadPoolExecutor

import requests

API = "http://ci-results:8080/v1"


def download_run(run_id):
    return requests.get(f"{API}/runs/{run_id}", timeout=10).json()  # expect: CL121


def download_log(url):
    return requests.get(url, timeout=10).content  # expect: CL121


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    for run_id in args.runs:
        download_run(run_id)
    with ThreadPoolExecutor() as pool:
        list(pool.map(download_log, args.runs))


if __name__ == "__main__":
    main()
