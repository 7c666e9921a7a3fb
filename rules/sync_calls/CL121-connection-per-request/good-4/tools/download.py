"""A CI script: main() parses the arguments and calls download_run once; each call below runs
once per process (the loop's own calls would be reported)."""

import argparse

import requests

API = "http://ci-results:8080/v1"


def download_run(args):
    run = requests.get(f"{API}/runs/{args.run}", timeout=10)
    run.raise_for_status()
    timeline = requests.get(f"{API}/runs/{args.run}/timeline", timeout=10)
    return run.json(), timeline.json()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    download_run(parser.parse_args())


if __name__ == "__main__":
    main()
