# Schema Registry compatibility for the shop's subjects (Confluent Cloud).
resource "confluent_schema_registry_cluster_config" "shop" {
  compatibility_level = "BACKWARD"
}

resource "confluent_subject_config" "orders_order_returned" {
  subject_name        = "orders.order.returned-value"
  compatibility_level = "NONE"  # expect: CL609
}
