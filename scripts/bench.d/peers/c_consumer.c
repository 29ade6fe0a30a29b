/*
 * The runtime benchmark's C peers: the least a consumer can do to get the same durable result,
 * written the way the runtime works (rabbitmq-c, SQLite in WAL mode with synchronous=NORMAL,
 * batches of half the prefetch taken as they arrive with a 5 ms linger, one transaction per
 * batch, one `multiple` ack after the commit), with none of the runtime's other duties
 * (retries, dead letters, counters, reconnects, logs).
 *
 *   c_consumer --queue Q --expect N --db PATH --prefetch P [--ledger | --no-store]
 *              [--spin-us U] [--sleep-us U]
 *
 * Without --ledger it inserts one effect row per message. With --ledger it first claims the
 * message id in a table of the runtime's shape (`message_ledger`) with the runtime's own
 * statement, INSERT ... ON CONFLICT DO NOTHING, and skips the effect for an id already claimed:
 * the exactly-once work the Swift worker does.
 *
 * For `scripts/bench runtime-cpu`, which asks what a consumer's own CPU costs the broker on
 * this 2-core machine: --no-store does no SQLite work at all (a C bare consumer), --spin-us
 * burns U microseconds of CPU per message (per batch, after the batch's work, before its ack),
 * and --sleep-us holds each batch as long without using the CPU.
 * The broker address comes from TRUST_AMQP_URL.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "c_consumer: %s: %s\n", what, detail);
    exit(1);
}

static void check_rpc(amqp_connection_state_t c, const char *what) {
    amqp_rpc_reply_t r = amqp_get_rpc_reply(c);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) die(what, "broker refused or connection lost");
}

static void exec_sql(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) die(sql, err ? err : "?");
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) die(sql, sqlite3_errmsg(db));
    return s;
}

/* Busy-waits for `us` microseconds of wall time: CPU the broker cannot have meanwhile. */
static void spin(double us) {
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1e6 + (t.tv_nsec - t0.tv_nsec) / 1e3 < us);
}

static void step_done(sqlite3 *db, sqlite3_stmt *s) {
    if (sqlite3_step(s) != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
    sqlite3_reset(s);
}

int main(int argc, char **argv) {
    const char *queue = NULL, *path = NULL;
    long expect = 0;
    int prefetch = 400, ledger = 0, store = 1;
    double spin_us = 0, sleep_us = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queue") && i + 1 < argc) queue = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc) expect = atol(argv[++i]);
        else if (!strcmp(argv[i], "--db") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--prefetch") && i + 1 < argc) prefetch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ledger")) ledger = 1;
        else if (!strcmp(argv[i], "--no-store")) store = 0;
        else if (!strcmp(argv[i], "--spin-us") && i + 1 < argc) spin_us = atof(argv[++i]);
        else if (!strcmp(argv[i], "--sleep-us") && i + 1 < argc) sleep_us = atof(argv[++i]);
        else die("unknown argument", argv[i]);
    }
    if (!queue || !path || expect <= 0) die("usage", "--queue Q --expect N --db PATH [--prefetch P] [--ledger | --no-store] [--spin-us U] [--sleep-us U]");
    int batch_size = prefetch / 2 > 0 ? prefetch / 2 : 1;

    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("open", path);
    exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    exec_sql(db, "CREATE TABLE IF NOT EXISTS probe_effects (message_id TEXT NOT NULL, bytes INTEGER NOT NULL)");
    exec_sql(db,
             "CREATE TABLE IF NOT EXISTS message_ledger (queue_id INTEGER NOT NULL, message_id TEXT NOT NULL,"
             " outcome INTEGER NOT NULL CHECK (outcome >= 0 AND outcome <= 2),"
             " attempts INTEGER NOT NULL DEFAULT 0, detail TEXT, at_ms INTEGER NOT NULL,"
             " PRIMARY KEY (message_id, queue_id)) WITHOUT ROWID");
    sqlite3_stmt *claim = prepare(db,
        "INSERT INTO message_ledger (queue_id, message_id, outcome, attempts, detail, at_ms)"
        " VALUES (?, ?, 0, 0, NULL, ?) ON CONFLICT (message_id, queue_id) DO NOTHING");
    sqlite3_stmt *effect = prepare(db, "INSERT INTO probe_effects (message_id, bytes) VALUES (?, ?)");
    sqlite3_bind_int(claim, 1, 1);  // the queue's number in the runtime's ledger_queues

    char *url = getenv("TRUST_AMQP_URL") ? strdup(getenv("TRUST_AMQP_URL")) : strdup("amqp://guest:guest@127.0.0.1:5672/");
    struct amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(url, &info) != AMQP_STATUS_OK) die("TRUST_AMQP_URL", "not an amqp:// URL");
    if (info.vhost[0] == '\0') info.vhost = "/";  // "amqp://host/" names the default vhost
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (!socket || amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) die("connect", info.host);
    if (amqp_login(conn, info.vhost, 0, 131072, 60, AMQP_SASL_METHOD_PLAIN, info.user, info.password).reply_type
        != AMQP_RESPONSE_NORMAL) die("login", info.user);
    amqp_channel_open(conn, 1);
    check_rpc(conn, "channel.open");
    amqp_basic_qos(conn, 1, 0, (uint16_t)prefetch, 0);
    check_rpc(conn, "basic.qos");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    check_rpc(conn, "basic.consume");

    char (*ids)[256] = malloc((size_t)batch_size * 256);
    int *lengths = malloc(sizeof(int) * (size_t)batch_size);
    size_t *sizes = malloc(sizeof(size_t) * (size_t)batch_size);
    long handled = 0;
    while (handled < expect) {
        int n = 0;
        uint64_t last_tag = 0;
        while (n < batch_size) {
            int buffered = amqp_data_in_buffer(conn) || amqp_frames_enqueued(conn);
            struct timeval tv = n == 0 ? (struct timeval){30, 0} : (struct timeval){0, buffered ? 50000 : 5000};
            amqp_envelope_t envelope;
            amqp_maybe_release_buffers(conn);
            amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, &tv, 0);
            if (r.reply_type != AMQP_RESPONSE_NORMAL) {
                if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
                    if (n == 0) die("consume", "queue ran dry before --expect messages");
                    break;
                }
                die("consume", "unexpected frame or connection lost");
            }
            amqp_bytes_t id = envelope.message.properties.message_id;
            int len = id.len < 255 ? (int)id.len : 255;
            memcpy(ids[n], id.bytes, (size_t)len);
            lengths[n] = len;
            sizes[n] = envelope.message.body.len;
            last_tag = envelope.delivery_tag;
            amqp_destroy_envelope(&envelope);
            n++;
        }
        struct timeval now;
        gettimeofday(&now, NULL);
        sqlite3_int64 now_ms = (sqlite3_int64)now.tv_sec * 1000 + now.tv_usec / 1000;
        sqlite3_bind_int64(claim, 3, now_ms);
        if (store) exec_sql(db, "BEGIN IMMEDIATE");
        for (int i = 0; store && i < n; i++) {
            if (ledger) {
                sqlite3_bind_text(claim, 2, ids[i], lengths[i], SQLITE_STATIC);
                step_done(db, claim);
                if (sqlite3_changes(db) == 0) continue;  // already processed: ack, no second effect
            }
            sqlite3_bind_text(effect, 1, ids[i], lengths[i], SQLITE_STATIC);
            sqlite3_bind_int64(effect, 2, (sqlite3_int64)sizes[i]);
            step_done(db, effect);
        }
        if (store) exec_sql(db, "COMMIT");
        if (spin_us > 0) spin(spin_us * n);
        if (sleep_us > 0) usleep((useconds_t)(sleep_us * n));
        if (amqp_basic_ack(conn, 1, last_tag, 1) != AMQP_STATUS_OK) die("ack", "connection lost");
        handled += n;
    }
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    sqlite3_finalize(claim);
    sqlite3_finalize(effect);
    sqlite3_close(db);
    printf("consumed %ld\n", handled);
    return 0;
}
