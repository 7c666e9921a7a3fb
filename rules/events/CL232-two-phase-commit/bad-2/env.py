"""Alembic's multi-database migration template: two-phase commit switched on."""
USE_TWOPHASE = True


def run_migrations_online(engines):
    for name, rec in engines.items():
        conn = rec["engine"].connect()
        if USE_TWOPHASE:
            rec["transaction"] = conn.begin_twophase()  # expect: CL232
        else:
            rec["transaction"] = conn.begin()
