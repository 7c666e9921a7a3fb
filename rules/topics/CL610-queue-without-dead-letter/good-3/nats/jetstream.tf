resource "jetstream_stream" "orders" {
  name     = "ORDERS"
  subjects = ["orders.order.*"]
  storage  = "file"
}

resource "jetstream_consumer" "fulfilment" {
  stream_id      = jetstream_stream.orders.id
  durable_name   = "fulfilment"
  deliver_all    = true
  filter_subject = "orders.order.placed"
  max_delivery   = 5
  backoff        = [1, 10, 60]
}

# a monitor that never acknowledges is never redelivered
resource "jetstream_consumer" "monitor" {
  stream_id        = jetstream_stream.orders.id
  durable_name     = "MONITOR"
  deliver_last     = true
  ack_policy       = "none"
  delivery_subject = "monitor.orders"
}
