resource "aws_sqs_queue" "reservations" {
  name                       = "inventory-reservations" # expect: CL610
  visibility_timeout_seconds = 60
}

resource "rabbitmq_queue" "releases" {
  name  = "inventory.releases" # expect: CL610
  vhost = "/"

  settings {
    durable     = true
    auto_delete = false
  }
}
