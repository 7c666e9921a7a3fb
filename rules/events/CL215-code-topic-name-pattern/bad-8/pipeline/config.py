"""Topic names kept in a table of another module (Tech-hub-bytes/healthcare-event-pipeline-kafka-python)."""
TOPICS = {
    "admitted": "clinical.patient.admitted",
    "dlq": "healthcare.dlq",
    "audit": "healthcare.audit",
}
