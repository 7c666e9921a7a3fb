resource "aws_sns_topic" "orders" {
  name = "orders" # expect: CL601
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
