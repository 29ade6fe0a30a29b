"""What every benchmark in scripts/bench.d shares: the RuntimeProbe calls, timing, best-of-N,
RSS readings and the Python peers' virtual environment.

The machine has 2 cores shared with other builds, so every figure is a best of N (default 3)
taken in the same run as the figure it is compared with, and every result line carries the
load average it was measured under.
"""
import contextlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VAR = ROOT / "var"
VENV = VAR / "bench-venv"
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
BIN = Path(os.environ.get("BIN", ROOT / ".build" / "release"))
URL = os.environ.get("TRUST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PEERS = Path(__file__).resolve().parent
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
PREFETCH = int(os.environ.get("BENCH_PREFETCH", "200"))
# Peers run as child processes importing this module; keep their bytecode out of the tree.
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def log(text):
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def ensure_venv():
    """Re-executes the calling script inside var/bench-venv, creating it (and installing
    python3-venv from Debian when missing) and the pinned peers from PyPI the first time."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    stamp = VENV / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        if subprocess.run(["dpkg-query", "-W", "-f=${Status}", "python3-venv"],
                          capture_output=True, text=True).stdout.find("install ok installed") < 0:
            log("bench: installing python3-venv")
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                   "python3-venv"], check=True, env=env, stdout=subprocess.DEVNULL)
        log(f"bench: preparing {VENV} ({', '.join(wanted.split())})")
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted)
    os.execv(str(python), [str(python)] + sys.argv)


def probe(*args, env=None, **kw):
    """Runs RuntimeProbe to completion; raises with its stderr if it fails."""
    run_env = dict(os.environ, TRUST_AMQP_URL=URL, TRUST_LOG_LEVEL="warn", **(env or {}))
    done = subprocess.run([str(BIN / "RuntimeProbe"), *map(str, args)], env=run_env,
                          capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise RuntimeError(f"RuntimeProbe {' '.join(map(str, args))} exited {done.returncode}: {done.stderr.strip()}")
    return done


def spawn_probe(*args):
    env = dict(os.environ, TRUST_AMQP_URL=URL, TRUST_LOG_LEVEL="warn")
    return subprocess.Popen([str(BIN / "RuntimeProbe"), *map(str, args)], env=env)


def fresh_prefix(tag):
    return f"bench-{tag}-{os.getpid()}-{time.monotonic_ns() % 10**9}"


def publish(prefix, count, start=0):
    """Declares the prefix's isolated topology (a quorum queue with the contract's arguments)
    and fills it with `count` persistent 64-byte messages, ids m-<start>…, each confirmed."""
    probe("publish", "--prefix", prefix, "--count", count, "--from", start)


def cleanup(prefix):
    subprocess.run([str(BIN / "RuntimeProbe"), "cleanup", "--prefix", prefix],
                   env=dict(os.environ, TRUST_AMQP_URL=URL), capture_output=True)


def work_queue(prefix):
    return f"{prefix}.work"


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def best_rates(bench, contenders, repeats=REPEATS):
    """The highest messages-per-second and the lowest CPU microseconds per message of each
    contender over `repeats` rounds; a contender's measure returns (rate, cpu_us or None).

    On a shared machine the fastest run is the one least disturbed by others, so best-of-N
    is the fairest single figure; running the contenders round-robin means a burst of outside
    load costs one round of everybody rather than every round of one. CPU per message hardly
    depends on that load, so it is the steadier figure when the rates disagree."""
    rates, cpu = dict.fromkeys(contenders, 0.0), dict.fromkeys(contenders)
    for n in range(1, repeats + 1):
        for name, measure in contenders.items():
            rate, us = measure()
            log(f"{bench}: round {n} {name} {rate:,.0f} msgs/s" + (f", {us:.1f} µs CPU/msg" if us else ""))
            rates[name] = max(rates[name], rate)
            if us is not None:
                cpu[name] = us if cpu[name] is None else min(cpu[name], us)
    return rates, cpu


def children_cpu():
    """User + system CPU seconds of every child process reaped so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def drain_rate(mode, count, prefetch=PREFETCH):
    """(messages per second, CPU µs per message) for RuntimeProbe `mode` (worker or bare)
    draining `count` pre-published messages, both from process start to exit; the worker's
    effects are checked."""
    prefix = fresh_prefix(mode)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "probe.sqlite"
        try:
            publish(prefix, count)
            cpu = children_cpu()
            seconds = timed(lambda: probe(mode, "--prefix", prefix, "--expect", count,
                                          "--prefetch", prefetch, "--db", db))
            cpu = children_cpu() - cpu
            if mode == "worker":
                check_effects(mode, db, count)
        finally:
            cleanup(prefix)
    return count / seconds, cpu_us(cpu, count)


def cpu_us(seconds, count):
    return round(1e6 * seconds / count, 2)


@contextlib.contextmanager
def reader(db):
    """A read-only connection that fails rather than creates a missing file: a poller that
    created the database would race the workers' own first open (see BENCHMARKS.md)."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        yield c
    finally:
        c.close()


def effect_counts(db):
    """(rows, distinct message ids) in probe_effects; (0, 0) before the table exists."""
    try:
        with reader(db) as c:
            return c.execute("SELECT count(*), count(DISTINCT message_id) FROM probe_effects").fetchone()
    except sqlite3.OperationalError:
        return (0, 0)


def rows_written(db):
    """How many effect rows have committed, cheaply: rows are only ever appended, so the
    highest rowid is the count, read from the end of the table rather than by a full scan."""
    try:
        with reader(db) as c:
            return c.execute("SELECT coalesce(max(rowid), 0) FROM probe_effects").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def check_effects(who, db, count):
    """Exactly once: as many effect rows as messages, and as many distinct message ids."""
    rows, distinct = effect_counts(db)
    if rows != count or distinct != count:
        raise RuntimeError(f"{who}: {rows} effects ({distinct} distinct) for {count} messages")


def wait_for_rows(db, count, timeout, alive=lambda: True, step=0.02):
    """Polls the effects table until it holds `count` rows; returns (first_seen, rows then,
    done) monotonic instants, so a rate can be taken over the window in which work happened."""
    deadline = time.monotonic() + timeout
    first = None
    while time.monotonic() < deadline:
        rows = rows_written(db)
        now = time.monotonic()
        if rows and first is None:
            first = (now, rows)
        if rows >= count:
            return first[0], first[1], now
        if not alive():
            raise RuntimeError(f"worker exited with {rows} of {count} effects in {db}")
        time.sleep(step)
    raise RuntimeError(f"timed out after {timeout}s with {rows_written(db)} of {count} effects in {db}")


def stop(processes, timeout=15):
    """SIGTERM, then SIGKILL whatever has not exited within `timeout` seconds."""
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def rss_kb(pid, field="VmRSS"):
    """Resident set size (or VmHWM, the peak) in KiB from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def consumers_on(queue):
    """How many consumers the broker sees on `queue` (0 if it does not exist yet)."""
    import pika
    with pika.BlockingConnection(pika.URLParameters(URL)) as c:
        try:
            return c.channel().queue_declare(queue, passive=True).method.consumer_count
        except pika.exceptions.ChannelClosedByBroker:
            return 0


def wait_for_consumer(queue, process, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited {process.returncode} before consuming {queue}")
        if consumers_on(queue) > 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"no consumer on {queue} after {timeout}s")


def emit(name, figures):
    """One JSON result line on stdout, with the load it was measured under."""
    figures = {"name": name, **figures, "load_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(figures), flush=True)


def ratio(a, b):
    return round(a / b, 3) if b else None


INSERT_EFFECT = "INSERT INTO probe_effects (message_id, bytes) VALUES (?, ?)"


def open_effects(path):
    """The peers' SQLite, set up as the Store module sets up the worker's: WAL with
    synchronous=NORMAL, and the probe's effects table (no unique constraint, as there)."""
    db = sqlite3.connect(path, timeout=5)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS probe_effects (message_id TEXT NOT NULL, bytes INTEGER NOT NULL)")
    db.commit()
    return db


def peer_arguments(description):
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--queue", required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--prefetch", type=int, default=PREFETCH)
    return p.parse_args()


def delete_queue_and_exchange(name):
    """Removes a queue and a same-named exchange that a peer (Celery) declared for itself."""
    import pika
    with pika.BlockingConnection(pika.URLParameters(URL)) as c:
        ch = c.channel()
        ch.queue_delete(name)
        ch.exchange_delete(name)
