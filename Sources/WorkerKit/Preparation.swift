import Foundation

/// Runs a handler's `prepare` step over a batch on a helper thread, in delivery order, while
/// the consumer thread writes the messages already prepared; when the consumer thread would
/// otherwise wait, it prepares the next unclaimed message itself.
///
/// Why: a data drop spends more than half its time on work that needs no database (parsing,
/// validating, pseudonymising, aggregating); on a second core it overlaps the inserts. The
/// transaction, ledger and ack rules are untouched: the consumer thread still handles every
/// message, in order, inside the batch's transaction.
///
/// Preparation runs at most `lookahead` messages ahead of the message the consumer thread is
/// handling, and each result is handed over once and then dropped, so a batch of large files
/// is never all expanded in memory at once. (A careful rerun of the batch after a failure
/// gets nil and the handler prepares inline, as `MessageHandler.prepare` requires it can.)
final class BatchPreparation: @unchecked Sendable {
    private let messages: [InboundMessage?]
    private let prepare: @Sendable (InboundMessage) -> any Sendable
    private let lookahead: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var results: [(any Sendable)?]
    private var done: [Bool]
    /// Messages below this index are being or have been prepared.
    private var claimed = 0
    /// The message the consumer thread is waiting for or handling.
    private var wanted = 0
    private var abandoned = false

    init(_ messages: [InboundMessage?], lookahead: Int, on queue: DispatchQueue,
         prepare: @escaping @Sendable (InboundMessage) -> any Sendable) {
        self.messages = messages
        self.prepare = prepare
        self.lookahead = lookahead
        results = Array(repeating: nil, count: messages.count)
        done = Array(repeating: false, count: messages.count)
        queue.async { [self] in
            condition.lock()
            while true {
                while !abandoned && claimed < messages.count && claimed > wanted + lookahead { condition.wait() }
                guard !abandoned, claimed < messages.count else { break }
                prepareNext()
            }
            condition.unlock()
        }
    }

    /// Claims the next message, prepares it with the lock released, and stores the result.
    /// Called with the lock held; returns with it held.
    private func prepareNext() {
        let index = claimed
        claimed += 1
        condition.unlock()
        let result = messages[index].map(prepare)
        condition.lock()
        results[index] = result
        done[index] = true
        condition.broadcast()
    }

    /// Takes the prepared value for message `index`: nil for a message that was not prepared
    /// (one without a message id) or whose value was already taken. While it is not ready,
    /// this thread prepares messages no one has claimed yet rather than sit idle.
    func take(_ index: Int) -> (any Sendable)? {
        condition.lock()
        defer { condition.unlock() }
        if index > wanted {
            wanted = index
            condition.broadcast()
        }
        while !done[index] {
            if claimed < messages.count && claimed <= wanted + lookahead {
                prepareNext()
            } else {
                condition.wait()
            }
        }
        defer { results[index] = nil }
        return results[index]
    }

    /// Lets the helper stop early when the batch ends without needing every message (a broker
    /// error mid-batch, shutdown). Results already made stay readable.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }
}
