import Foundation
import Store

/// Where a paused state of the delivery engine plugs into the metrics (`trust_relay_paused`,
/// `trust_deliveries{status="paused"}`) and the relay-paused alert. The engine records no
/// pause in the store, so the relay is never paused and no delivery is held back; once it
/// does, these two functions read it and nothing else changes.
enum DeliveryPauses {
    /// Since when the relay has been paused; nil when it is not.
    static func relayPausedSince(in db: Database) throws -> Date? { nil }

    /// Deliveries of `kind` (a ``DeliveryKind``'s name) held back by a pause.
    static func pausedDeliveries(kind: String, in db: Database) throws -> Int { 0 }
}
