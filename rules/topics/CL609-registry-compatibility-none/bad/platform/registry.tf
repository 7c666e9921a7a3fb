resource "confluent_schema_registry_cluster_config" "default" {
  schema_registry_cluster {
    id = confluent_schema_registry_cluster.main.id
  }
  compatibility_level = "FORWARD"  # expect: CL609
}

resource "confluent_subject_config" "order_created" {
  subject_name        = "order.order.created-value"
  compatibility_level = "NONE"  # expect: CL609
}
