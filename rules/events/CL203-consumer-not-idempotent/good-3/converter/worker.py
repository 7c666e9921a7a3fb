"""An SQS worker whose only effect is a whole object put to S3 under a key taken from the
message: a redelivered message writes the same object again, so there is nothing to deduplicate."""

import json
import os

import boto3
from PIL import Image

QUEUE_URL = os.environ["SQS_QUEUE_URL"]
s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def to_jpeg(src, dst):
    Image.open(src).convert("RGB").save(dst, "JPEG")


def main():
    while True:
        for message in sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20).get("Messages", []):
            body = json.loads(message["Body"])
            src = f"/tmp/{os.path.basename(body['key'])}"
            dst = src.replace(".png", ".jpg")
            s3.download_file(body["bucket"], body["key"], src)
            to_jpeg(src, dst)
            s3.upload_file(dst, body["bucket"], body["key"].replace(".png", ".jpg"))
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
