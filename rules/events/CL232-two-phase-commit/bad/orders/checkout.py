import psycopg2


def checkout(order_db, payment_db, order):
    xid = order_db.xid(42, "checkout", order.id)
    order_db.tpc_begin(xid)  # expect: CL232
    payment_db.tpc_begin(xid)
    order_db.tpc_prepare()
    payment_db.tpc_prepare()
    order_db.tpc_commit()
    payment_db.tpc_commit()


def legacy(cursor, order):
    cursor.execute("XA START 'checkout'")  # expect: CL232
