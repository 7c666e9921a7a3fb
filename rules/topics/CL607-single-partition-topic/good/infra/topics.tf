resource "kafka_topic" "order_created" {
  name               = "orders.order.created"
  replication_factor = 3
  partitions         = 12
}

resource "kafka_topic" "order_created_dlq" {
  name       = "orders.order.created.dlq"
  partitions = 1
}

resource "kafka_topic" "templated" {
  name       = "orders.order.shipped"
  partitions = var.partitions
}
