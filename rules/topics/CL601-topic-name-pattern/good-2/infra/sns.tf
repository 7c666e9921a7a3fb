resource "aws_sns_topic" "orders" {
  name = "orders-order-placed"
}

resource "aws_sqs_queue" "shipping" {
  name = "shipping-orders"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.shipping_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "shipping_dlq" {
  name = "shipping-orders-dlq"
}

resource "aws_sns_topic_subscription" "shipping" {
  topic_arn = aws_sns_topic.orders.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.shipping.arn
}

resource "aws_sns_topic" "alarms" {
  name = "payments-alarms"
}

resource "aws_sns_topic_subscription" "alarms_worker" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "lambda"
  endpoint  = "arn:aws:lambda:eu-west-1:123456789012:function:page-on-call"
}
