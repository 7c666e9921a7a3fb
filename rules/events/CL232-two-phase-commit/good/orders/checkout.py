import psycopg2


def checkout(order_db, order):
    with order_db:
        with order_db.cursor() as cur:
            cur.execute("INSERT INTO orders (id) VALUES (%s)", (order.id,))
            cur.execute("INSERT INTO outbox (event_type) VALUES ('order.created')")
