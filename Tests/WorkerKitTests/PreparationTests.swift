import Broker
import Foundation
import Store
import Synchronization
import Testing

@testable import WorkerKit

private func messages(_ count: Int, missingIDs: Set<Int> = []) -> [InboundMessage?] {
    (0..<count).map { i in
        let delivery = Delivery(deliveryTag: UInt64(i + 1), redelivered: false, exchange: "", routingKey: "work",
                                properties: MessageProperties(messageID: missingIDs.contains(i) ? nil : "m\(i)"),
                                body: Array("\(i)".utf8))
        return InboundMessage(delivery)
    }
}

/// Counts how often each message was prepared and the furthest any preparation started
/// ahead of the message the consumer thread had reached.
private final class Tracker: Sendable {
    let prepared = Mutex<[String: Int]>([:])
    let consumerAt = Mutex(0)
    let furthestAhead = Mutex(0)

    func prepare(_ message: InboundMessage, delay: Double = 0) -> any Sendable {
        let index = Int(message.messageID.dropFirst())!
        let ahead = index - consumerAt.withLock { $0 }
        furthestAhead.withLock { $0 = max($0, ahead) }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        prepared.withLock { $0[message.messageID, default: 0] += 1 }
        return "prepared \(String(decoding: message.body, as: UTF8.self))"
    }
}

@Suite("Batch preparation")
struct PreparationTests {
    @Test func everyMessageIsPreparedOnceAndReadInOrder() {
        let tracker = Tracker()
        let batch = messages(200, missingIDs: [7, 150])
        let preparation = BatchPreparation(batch, lookahead: 4, on: DispatchQueue(label: "t")) { tracker.prepare($0) }
        for index in batch.indices {
            tracker.consumerAt.withLock { $0 = index }
            let result = preparation.take(index) as? String
            #expect(result == (batch[index] == nil ? nil : "prepared \(index)"))
            // Handed over once, then dropped: a careful rerun prepares inline instead.
            #expect(preparation.take(index) == nil)
        }
        let counts = tracker.prepared.withLock { $0 }
        #expect(counts.count == 198)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(tracker.furthestAhead.withLock { $0 } <= 4)
    }

    /// With the helper's queue stopped, the consumer thread prepares everything itself: a busy
    /// or starved helper can slow a batch down but never stall it.
    @Test func theConsumerThreadPreparesWhenTheHelperCannotRun() {
        let tracker = Tracker()
        let queue = DispatchQueue(label: "stopped")
        queue.suspend()
        defer { queue.resume() }
        let preparation = BatchPreparation(messages(20), lookahead: 2, on: queue) { tracker.prepare($0) }
        for index in 0..<20 {
            #expect(preparation.take(index) as? String == "prepared \(index)")
        }
        #expect(tracker.prepared.withLock { $0.count } == 20)
        preparation.abandon()
    }

    /// Lookahead bounds memory: the helper does not run further ahead while the consumer
    /// thread is slow.
    @Test func theHelperStaysWithinTheLookahead() {
        let tracker = Tracker()
        let preparation = BatchPreparation(messages(50), lookahead: 3, on: DispatchQueue(label: "t")) {
            tracker.prepare($0)
        }
        _ = preparation.take(0)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(tracker.prepared.withLock { $0.count } <= 4)
        #expect(tracker.furthestAhead.withLock { $0 } <= 3)
        preparation.abandon()
    }

    @Test func abandoningStopsTheHelper() {
        let tracker = Tracker()
        let queue = DispatchQueue(label: "t")
        let preparation = BatchPreparation(messages(100), lookahead: 100, on: queue) {
            tracker.prepare($0, delay: 0.005)
        }
        _ = preparation.take(0)
        preparation.abandon()
        queue.sync {}  // the helper has returned
        #expect(tracker.prepared.withLock { $0.count } < 100)
    }
}
