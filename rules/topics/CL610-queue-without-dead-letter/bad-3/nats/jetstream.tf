resource "jetstream_stream" "orders" {
  name     = "ORDERS"
  subjects = ["orders.order.*"]
  storage  = "file"
}

resource "jetstream_consumer" "fulfilment" {
  stream_id      = jetstream_stream.orders.id
  durable_name   = "fulfilment" # expect: CL610
  deliver_all    = true
  filter_subject = "orders.order.placed"
}

resource "jetstream_consumer" "billing" {
  stream_id      = jetstream_stream.orders.id
  durable_name   = "billing"
  filter_subject = "orders.order.placed"
  max_delivery   = -1 # expect: CL610
}
