"""The Celery peer: one task doing the same one-row insert, run by `celery worker` with the
settings Celery's documentation gives for reliable work (acks_late, so a task is acked only
after it ran) on a quorum queue that Celery declares itself, with the same arguments as the
runtime's work queues. BENCH_CELERY_PREFIX names the queue; BENCH_CELERY_DB is the database.

Celery's prefetch is worker_prefetch_multiplier × concurrency: it is set so the worker holds
the same number of unacked messages as every other consumer in the comparison.
"""
import os

from celery import Celery
from kombu import Exchange, Queue

from benchlib import INSERT_EFFECT, PREFETCH, URL, open_effects

PREFIX = os.environ["BENCH_CELERY_PREFIX"]
QUEUE = f"{PREFIX}.celery"
CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))
# The same arguments as Topology.workQueueArguments for an isolated topology.
QUEUE_ARGUMENTS = {
    "x-queue-type": "quorum",
    "x-delivery-limit": 10,
    "x-dead-letter-exchange": f"{PREFIX}.dead",
    "x-dead-letter-routing-key": QUEUE,
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}

app = Celery("bench", broker="py" + URL if URL.startswith("amqp") else URL)
app.conf.update(
    task_queues=[Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE,
                       queue_arguments=QUEUE_ARGUMENTS)],
    task_default_queue=QUEUE,
    task_default_exchange=QUEUE,
    task_default_routing_key=QUEUE,
    task_default_delivery_mode="persistent",
    task_acks_late=True,
    worker_prefetch_multiplier=max(1, PREFETCH // CONCURRENCY),
    task_ignore_result=True,
    worker_enable_remote_control=False,
    worker_send_task_events=False,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"confirm_publish": True},
)

_db = None


@app.task(name="bench.insert")
def insert(message_id, body):
    # One connection per pool process, opened after the fork.
    global _db
    if _db is None:
        _db = open_effects(os.environ["BENCH_CELERY_DB"])
    _db.execute(INSERT_EFFECT, (message_id, len(body)))
    _db.commit()


if __name__ == "__main__":
    # `python celery_app.py COUNT`: queue COUNT tasks with Celery's own apply_async through one
    # producer (each publish confirmed), the way an application would enqueue them.
    import sys
    count = int(sys.argv[1])
    with app.producer_or_acquire() as producer:
        for i in range(count):
            insert.apply_async(args=(f"m-{i}", "x" * 64), producer=producer)
    with app.connection_for_write() as connection:
        queued = connection.default_channel.queue_declare(QUEUE, passive=True).message_count
    if queued != count:
        raise SystemExit(f"celery_app: {queued} tasks queued on {QUEUE}, expected {count}")
