import Foundation
import Store

/// Copies the write-ahead log into the database file on a background thread, after commits,
/// instead of inside them.
///
/// SQLite's default makes the commit that takes the log past 1000 pages also checkpoint it,
/// so every few batches one of them stalls for the copy and its two fsyncs (a tenth of the
/// data-drop worker's insert thread). Here the consumer's connection never checkpoints; a
/// commit that leaves the log past the same 1000 pages asks for a checkpoint, run on this
/// object's own connection and thread; requests that arrive while one is running are
/// coalesced. A failed checkpoint loses nothing (the log still holds every commit); it is
/// logged and the next commit past the threshold retries.
///
/// Each checkpoint is two steps. A passive one copies the bulk of the log without blocking
/// the writer. It can never finish, though, while the writer keeps committing, and the log
/// only starts again from the beginning once a checkpoint has caught up: under a steady
/// stream it grew without bound (16 MB, never restarted, over a 100,000-message benchmark),
/// and every frame then landed in newly allocated file blocks, which the filesystem zeroes
/// first: a fifth of the worker's commit time. So a restart checkpoint follows: it waits for
/// the writer's current transaction, copies the few frames committed since the passive step
/// while holding new ones off for that short copy, and makes the next commit start the log
/// over, reusing blocks already allocated. The restart step holds commits off while it waits
/// for the writer and for readers still on the old log, so its connection gives up after
/// `restartPatience` (the log then simply grows until the next request) rather than SQLite's
/// usual five seconds. It polls for the writer's lock every 100 µs meanwhile: a consumer
/// begins its next transaction moments after committing, and SQLite's own waits (1, 2, 5 ms
/// and up) slept through those gaps until the patience ran out, so under a busy machine the
/// log grew again (11,500 frames in a test that writes without pause).
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let log: Log
    private let queue: DispatchQueue
    private let lock = NSLock()
    // Guarded by `lock`.
    private var scheduled = false
    // Used only on `queue`.
    private var db: Database?
    /// Log size when a checkpoint was last asked for; used only on the committing thread.
    private var requestedAtPages = 0

    init(path: String, label: String, log: Log) {
        self.path = path
        self.log = log
        queue = DispatchQueue(label: label)
    }

    /// SQLite's own automatic-checkpoint threshold, kept so the log grows no larger than before.
    static let thresholdPages = 1000
    /// How long the restart step waits for each lock it needs (the writer's, then the
    /// readers'), holding the consumer's commits back meanwhile.
    static let restartPatience: Duration = .milliseconds(200)

    /// Called after each commit with the log's size. A checkpoint is asked for each time the
    /// log has grown by another `thresholdPages` since the last request. A checkpoint does not
    /// shrink the log itself (the next writer restarts it from the beginning once it is fully
    /// copied), so asking whenever it is past the threshold would checkpoint, with two fsyncs,
    /// after nearly every commit.
    func logCommitted(pages: Int) {
        if pages < requestedAtPages { requestedAtPages = 0 }  // the log restarted
        guard pages - requestedAtPages >= Self.thresholdPages else { return }
        requestedAtPages = pages
        request()
    }

    /// Asks for a checkpoint soon; returns at once.
    func request() {
        lock.lock()
        let already = scheduled
        scheduled = true
        lock.unlock()
        if already { return }
        queue.async { [self] in
            lock.lock()
            scheduled = false
            lock.unlock()
            do {
                if db == nil {
                    let connection = try Database(path: path, busyTimeout: Self.restartPatience)
                    try connection.pollWhenBusy(for: Self.restartPatience)
                    db = connection
                }
                try db?.checkpoint(.passive)
                try db?.checkpoint(.restart)
            } catch let error as StoreError where error.isBusy {
                // Another connection is checkpointing the same log right now (the work is being
                // done), or the restart step met a transaction or reader longer than its
                // patience (the log grows a little until the next request).
                log.debug("background checkpoint deferred: database busy", ["error": error])
            } catch {
                log.warn("background checkpoint failed; the next commit retries", ["error": error])
            }
        }
    }

    /// Waits for a running checkpoint and closes the connection.
    func close() {
        queue.sync {
            db?.close()
            db = nil
        }
    }
}
