resource "kafka_topic" "order_created" {
  name               = "orders.order.created"
  replication_factor = 3
  partitions         = 1  # expect: CL607
}

resource "confluent_kafka_topic" "payment_completed" {
  kafka_cluster {
    id = confluent_kafka_cluster.main.id
  }
  topic_name       = "payments.payment.completed"
  partitions_count = 1  # expect: CL607
}
