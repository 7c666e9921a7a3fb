"""SNS topic names with the standard's segments joined by hyphens (SNS names allow no dots); an
alarm topic is not an event topic."""

import json

import boto3

sns = boto3.client("sns")
topic_arn = sns.create_topic(Name="orders-order-placed.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
alarms_arn = sns.create_topic(Name="orders-alarms")["TopicArn"]


def order_placed(order_id, event):
    sns.publish(TopicArn=topic_arn, Message=json.dumps(event), MessageGroupId=order_id)
