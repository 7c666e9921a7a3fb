"""The Kafka model of a Python module (clients, consume loops, produce calls, payloads), read by the CL2xx checks and the cross-file facts."""
