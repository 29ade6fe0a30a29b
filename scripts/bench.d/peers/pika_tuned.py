"""pika as a careful engineer tunes it: the same prefetch and batching policy as the Swift
runtime (take up to `prefetch` deliveries, waiting at most 5 ms for the next once a batch has
begun), one transaction per batch, one `multiple` ack after the commit.

Prints {"messages": N, "seconds": S, "cpu_seconds": C}, timed from the first consume to the
last ack.
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
deliveries = channel.consume(args.queue, inactivity_timeout=0.005)
handled = 0
batch = []
started, cpu = time.monotonic(), time.process_time()
idle_since = started
while handled < args.expect:
    method, properties, body = next(deliveries)
    if method is not None:
        batch.append((method.delivery_tag, properties.message_id, len(body)))
        if len(batch) < args.prefetch:
            continue
    if not batch:
        if time.monotonic() - idle_since > 30:
            raise SystemExit(f"pika_tuned: queue {args.queue} ran dry after {handled} of {args.expect}")
        continue
    with db:
        db.executemany(INSERT_EFFECT, [(mid, size) for _, mid, size in batch])
    channel.basic_ack(delivery_tag=batch[-1][0], multiple=True)
    handled += len(batch)
    batch.clear()
    idle_since = time.monotonic()
print(json.dumps({"messages": handled, "seconds": time.monotonic() - started,
                  "cpu_seconds": time.process_time() - cpu}))
channel.cancel()
connection.close()
