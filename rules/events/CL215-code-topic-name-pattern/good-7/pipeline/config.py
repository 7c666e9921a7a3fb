"""Topic names kept in a table of another module; a table of this module too."""
TOPICS = {
    "admitted": "clinical.patient.admitted",
    "audit": "clinical.patient.audited",
}
