import Foundation

extension DeliveryOutcome {
    /// The outcome as a delivery row's `status`, `reply` and `next_attempt_at`, for the kinds
    /// whose rows have exactly those columns. A deferred row stays pending until `retryAt`.
    var columns: (status: String, reply: String, retryAt: Date?) {
        switch self {
        case .sent(let reply): ("sent", reply, nil)
        case .failed(let reason), .skipped(let reason): ("failed", reason, nil)
        case .deferred(let reason, let until): ("pending", reason, until)
        }
    }
}
