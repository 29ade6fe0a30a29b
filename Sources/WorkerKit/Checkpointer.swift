import Foundation
import Store

/// Copies the WAL into the database on a background thread, after commits, not inside them.
///
/// A commit that leaves the log past `thresholdPages` asks for a checkpoint on this object's
/// own connection; requests during one are coalesced, and a failed one loses nothing (it is
/// logged; the next request retries). Each is a passive step (copies the bulk without blocking
/// the writer), then a restart step (copies the rest while holding commits off, so the next
/// commit starts the log over and the file stays bounded under a steady stream). The restart
/// step polls each lock every 100 µs for at most `restartPatience`, because SQLite's own busy
/// waits sleep through the writer's short gaps between transactions.
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

    /// SQLite's own automatic-checkpoint threshold.
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
