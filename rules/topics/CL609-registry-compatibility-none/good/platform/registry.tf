resource "confluent_schema_registry_cluster_config" "default" {
  schema_registry_cluster {
    id = confluent_schema_registry_cluster.main.id
  }
  compatibility_level = "BACKWARD"
}

resource "confluent_subject_config" "order_created" {
  subject_name        = "order.order.created-value"
  compatibility_level = "FULL_TRANSITIVE"
}

resource "confluent_subject_config" "templated" {
  subject_name        = "order.order.shipped-value"
  compatibility_level = var.compatibility
}
