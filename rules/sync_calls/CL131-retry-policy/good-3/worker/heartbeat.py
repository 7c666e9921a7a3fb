"""Loops that send or poll on a schedule: not retries of a failed call."""
import logging
import time

import requests

logger = logging.getLogger(__name__)


def heartbeat_forever(controller, worker):
    while True:  # every 5 s, whatever the answer: a heartbeat, not a retry
        try:
            requests.post(f"{controller}/heartbeat", json={"worker_name": worker}, timeout=5)
        except requests.exceptions.RequestException as e:
            logger.error(f"heart beat error: {e}")
        time.sleep(5)


def wait_for_job(url):
    while True:  # polls a job's state: leaves when the job is done, not when the call succeeds
        try:
            state = requests.get(url, timeout=5).json()
            if state["done"]:
                return state
        except requests.exceptions.RequestException:
            logger.warning("status unavailable")
        time.sleep(2)


def send_heart_beat(controller, worker):
    attempt = 0
    while True:  # until it succeeds, backing off exponentially, three times at most
        try:
            return requests.post(f"{controller}/receive_heart_beat", json={"worker_name": worker}, timeout=5)
        except requests.exceptions.RequestException:
            attempt += 1
            if attempt > 3:
                raise
        time.sleep(0.5 * 2 ** attempt)
