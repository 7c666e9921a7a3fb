resource "aws_sqs_queue" "reservations_dlq" {
  name = "inventory-reservations-dlq"
}

resource "aws_sqs_queue" "reservations" {
  name                       = "inventory-reservations"
  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.reservations_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "releases" {
  name = "inventory-releases"
}

resource "aws_sqs_queue_redrive_policy" "releases" {
  queue_url = aws_sqs_queue.releases.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.reservations_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "rabbitmq_queue" "reservations" {
  name  = "inventory.reservations"
  vhost = "/"

  settings {
    durable = true
    arguments = {
      "x-queue-type"           = "quorum"
      "x-delivery-limit"       = 5
      "x-dead-letter-exchange" = "inventory.dlx"
    }
  }
}

resource "rabbitmq_queue" "releases" {
  name  = "inventory.releases"
  vhost = "/"
  settings {
    durable = true
  }
}

resource "rabbitmq_policy" "dead_letter" {
  name  = "inventory-dead-letter"
  vhost = "/"

  policy {
    pattern  = "^inventory\\."
    priority = 0
    apply_to = "queues"
    definition = {
      "dead-letter-exchange" = "inventory.dlx"
    }
  }
}
