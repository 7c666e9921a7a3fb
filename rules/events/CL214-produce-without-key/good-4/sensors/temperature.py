"""A simulated temperature sensor and a camera: each sends a bare reading (a number drawn at random, the
bytes of an encoded frame). Nothing in the message names an entity to key by."""
import random
from time import sleep

import cv2
import numpy as np
from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers=["kafka:9092"])


def get_data():
    limits = {"low": 25, "high": 35}
    low, high = limits["low"], limits["high"]
    return np.random.choice(np.arange(low, high))


def temperature():
    while True:
        val = get_data()
        val = val.item()
        producer.send("plant.sensor.temperature-read", value=val)
        producer.send("plant.sensor.humidity-read", value=round(random.uniform(2.0, 5.0), 3))
        sleep(20)


def camera():
    while True:
        ret, buffer = cv2.imencode(".png", cv2.imread("frame.png"))
        producer.send("plant.camera.frame-captured", buffer.tobytes())
        sleep(20)
