"""An SNS topic created and published to from code, named without the standard's segments."""

import json

import boto3

sns = boto3.client("sns")
topic_arn = sns.create_topic(Name="orders")["TopicArn"]  # expect: CL215


def order_placed(order_id, event):
    sns.publish(TopicArn=topic_arn, Message=json.dumps(event), MessageGroupId=order_id)
