"""The worker most teams would write first, as pika's documentation and RabbitMQ's Python
tutorial show it: BlockingConnection, basic_consume with a callback, and in the callback one
insert, one commit and one basic_ack per message. It gets the same prefetch as every other
consumer in the comparison (the tutorial itself uses prefetch_count=1, which is slower).

Prints {"messages": N, "seconds": S, "cpu_seconds": C}, timed from the first consume to the
last ack; the interpreter's start and the connection are not counted.
"""
import json
import time

import pika

from benchlib import INSERT_EFFECT, URL, open_effects, peer_arguments

args = peer_arguments(__doc__)
db = open_effects(args.db)
connection = pika.BlockingConnection(pika.URLParameters(URL))
channel = connection.channel()
channel.basic_qos(prefetch_count=args.prefetch)
handled = 0


def callback(ch, method, properties, body):
    global handled
    db.execute(INSERT_EFFECT, (properties.message_id, len(body)))
    db.commit()
    ch.basic_ack(delivery_tag=method.delivery_tag)
    handled += 1
    if handled >= args.expect:
        ch.stop_consuming()


channel.basic_consume(queue=args.queue, on_message_callback=callback)
started, cpu = time.monotonic(), time.process_time()
channel.start_consuming()
print(json.dumps({"messages": handled, "seconds": time.monotonic() - started,
                  "cpu_seconds": time.process_time() - cpu}))
connection.close()
