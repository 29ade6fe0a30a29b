import Foundation

/// Runs a handler's `prepare` step over a batch on a helper thread, in delivery order, while
/// the consumer thread writes the messages already prepared.
///
/// Why: a data drop spends about half its time on work that needs no database (parsing,
/// validating, pseudonymising, aggregating) and half inserting. One thread does them one
/// after the other; on two cores the helper prepares message n+1 while the consumer thread
/// inserts message n, and the transaction, ledger and ack rules are untouched because the
/// consumer thread still handles every message, in order, inside the batch's transaction.
///
/// The helper stays at most `lookahead` messages ahead of the consumer thread, so a batch of
/// large files is not all expanded in memory at once.
final class BatchPreparation: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var results: [(any Sendable)?]
    private var prepared = 0
    private var wanted = 0
    private var abandoned = false

    init(_ messages: [InboundMessage?], lookahead: Int, on queue: DispatchQueue,
         prepare: @escaping @Sendable (InboundMessage) -> any Sendable) {
        results = Array(repeating: nil, count: messages.count)
        queue.async { [self] in
            for (index, message) in messages.enumerated() {
                condition.lock()
                while !abandoned && index > wanted + lookahead { condition.wait() }
                let stop = abandoned
                condition.unlock()
                if stop { return }
                let result = message.map(prepare)
                condition.lock()
                results[index] = result
                prepared = index + 1
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The prepared value for message `index` (nil for a message that was not prepared, such
    /// as one without a message id), waiting for the helper if it has not got there yet.
    func result(at index: Int) -> (any Sendable)? {
        condition.lock()
        defer { condition.unlock() }
        if index > wanted {
            wanted = index
            condition.broadcast()
        }
        while prepared <= index { condition.wait() }
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
