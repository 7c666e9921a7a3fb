"""The lowest layer: findings and rule metadata, the catalogue, settings, safe file and git access, time budgets."""
