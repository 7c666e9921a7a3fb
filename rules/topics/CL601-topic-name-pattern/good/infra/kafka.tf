resource "kafka_topic" "order_created" {
  name               = "${var.env}.orders.order.created"
  partitions         = 12
  replication_factor = 3
}

resource "kafka_topic" "order_created_v2" {
  name       = "orders.order.created.v2"
  partitions = 12
}

resource "kafka_topic" "order_created_dlq" {
  name       = "orders.order.created.dlq"
  partitions = 1
}
