import Foundation
import Store

/// Copies the write-ahead log into the database file on a background thread, after commits,
/// instead of inside them.
///
/// SQLite's default makes the commit that takes the log past 1000 pages also checkpoint it,
/// so every few batches one of them stalls for the copy (a tenth of the data-drop worker's
/// insert thread). Here the consumer's connection never checkpoints; after each commit this
/// runs a passive checkpoint on its own connection, which never blocks the writer, and
/// coalesces requests that arrive while one is running. A failed checkpoint loses nothing
/// (the log still holds every commit); it is logged and the next commit tries again.
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let log: Log
    private let queue: DispatchQueue
    private let lock = NSLock()
    // Guarded by `lock`.
    private var scheduled = false
    // Used only on `queue`.
    private var db: Database?

    init(path: String, label: String, log: Log) {
        self.path = path
        self.log = log
        queue = DispatchQueue(label: label)
    }

    /// Asks for a checkpoint soon; returns at once.
    func requestAfterCommit() {
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
                if db == nil { db = try Database(path: path) }
                try db?.checkpoint(.passive)
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
