"""Alembic's multi-database migration template: two-phase commit switched off by a constant."""
USE_TWOPHASE = False


def run_migrations_online(engines):
    for name, rec in engines.items():
        conn = rec["engine"].connect()
        if USE_TWOPHASE:
            rec["transaction"] = conn.begin_twophase()
        else:
            rec["transaction"] = conn.begin()
