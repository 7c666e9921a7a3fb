"""What rules read: models built from parsed artifacts (calls, messaging, values, routes, operations, base versions, topic naming, services)."""
