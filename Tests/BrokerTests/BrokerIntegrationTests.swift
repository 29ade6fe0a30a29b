import Broker
import Foundation
import Testing

@Suite("Broker against a real RabbitMQ")
struct BrokerIntegrationTests {
    @Test func declaringTheTopologyTwiceChangesNothing() throws {
        let topology = TestBroker.isolatedTopology()
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        try c.publishConfirmed([TestBroker.message(topology, id: "m1")])
        try topology.declare(on: c)
        let work = topology.queues[0].name
        #expect(try c.declareQueue(work, passive: true).messages == 1)
        // The redeclare was checked, not ignored: different arguments are refused.
        var changed = topology.workQueueArguments(work)
        changed["x-delivery-limit"] = .int(99)
        #expect(throws: BrokerError.self) { try c.declareQueue(work, arguments: changed) }
        // And the connection carries on after the refusal.
        #expect(try c.declareQueue(work, passive: true).messages == 1)
    }

    @Test func refusalsCarryReplyCodeAndText() throws {
        let c = try TestBroker.connect()
        do {
            try c.declareQueue("no-such-queue-\(UUID().uuidString)", passive: true)
            Issue.record("passive declare of a missing queue succeeded")
        } catch {
            #expect(error.replyCode == 404)
            #expect(error.description.contains("NOT_FOUND"))
        }
    }

    /// Every entry point on a closed connection throws `connectionLost`, so a reconnect loop
    /// that failed to replace its connection gets an error, not freed rabbitmq-c state.
    @Test func everyCallOnAClosedConnectionThrowsConnectionLost() throws {
        let topology = TestBroker.isolatedTopology()
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        try c.consume(topology.queues[0].name)
        c.close()
        c.close()
        let calls: [(String, () throws -> Void)] = [
            ("publishConfirmed", { try c.publishConfirmed([TestBroker.message(topology, id: "after-close")]) }),
            ("publish", { try c.publish(TestBroker.message(topology, id: "after-close")) }),
            ("waitForConfirms", { for _ in 0..<100 { try c.waitForConfirms(timeout: 0.1) } }),
            ("nextDelivery", { _ = try c.nextDelivery(timeout: 0.1) }),
            ("nextDeliveries", { _ = try c.nextDeliveries(max: 10, wait: 0.1, linger: 0) }),
            ("ack", { try c.ack(1, multiple: true) }),
            ("reject", { try c.reject(1, requeue: true) }),
            ("cancel", { try c.cancel("tag") }),
            ("service", { try c.service() }),
            ("setPrefetch", { try c.setPrefetch(10) }),
            ("declareQueue", { try c.declareQueue(topology.queues[0].name, passive: true) }),
            ("get", { _ = try c.get(topology.queues[0].name) }),
        ]
        for (name, call) in calls {
            do {
                try call()
                Issue.record("\(name) on a closed connection did not throw")
            } catch let error as BrokerError {
                guard case .connectionLost(let text) = error else {
                    Issue.record("\(name): \(error)")
                    continue
                }
                #expect(text.contains("already closed"), "\(name): \(text)")
            }
        }
        #expect(c.socketDescriptor == -1)
    }

    @Test func tenThousandConfirmedMessagesAreAllConsumedOnce() throws {
        let topology = TestBroker.isolatedTopology()
        defer { TestBroker.tearDown(topology) }
        let publisher = try TestBroker.connect("publisher")
        try topology.declare(on: publisher)
        let ids = (0..<10_000).map { "msg-\($0)" }
        try publisher.publishConfirmed(ids.lazy.map { TestBroker.message(topology, id: $0, body: "body of \($0)") })
        #expect(publisher.unconfirmedCount == 0)

        let consumer = try TestBroker.connect("consumer")
        try consumer.setPrefetch(200)
        try consumer.consume(topology.queues[0].name)
        var seen: [String: Int] = [:]
        var lastTag: UInt64 = 0
        while seen.count < ids.count {
            let batch = try consumer.nextDeliveries(max: 200, wait: 5, linger: 0.01)
            guard !batch.isEmpty else { break }
            for d in batch {
                let id = d.properties.messageID ?? "?"
                seen[id, default: 0] += 1
                #expect(d.properties.persistent)
                #expect(String(decoding: d.body, as: UTF8.self) == "body of \(id)")
                lastTag = d.deliveryTag
            }
            try consumer.ack(lastTag, multiple: true)
        }
        // Nothing extra arrives after the last expected message.
        #expect(try consumer.nextDelivery(timeout: 0.5) == nil)
        #expect(Set(seen.keys) == Set(ids))
        #expect(seen.values.allSatisfy { $0 == 1 })
        consumer.close()
        let check = try TestBroker.connect()
        #expect(try check.declareQueue(topology.queues[0].name, passive: true).messages == 0)
    }

    /// Deliveries are read frame by frame: a body split over many frames, an empty body (no
    /// body frame at all) and a header table must all come through byte for byte.
    @Test func largeEmptyAndHeaderedBodiesArriveIntact() throws {
        let topology = TestBroker.isolatedTopology()
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        try c.enableConfirms()
        let large = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }  // ~8 frames
        var headered = TestBroker.message(topology, id: "headered", body: "with headers")
        headered.properties = headered.properties.with { $0 = ["x-attempts": .int(2), "x-note": .string("Ysgol ✓")] }
        var largeMessage = TestBroker.message(topology, id: "large")
        largeMessage.body = large
        var emptyMessage = TestBroker.message(topology, id: "empty")
        emptyMessage.body = []
        try c.publishConfirmed([largeMessage, emptyMessage, headered, TestBroker.message(topology, id: "after")])
        try c.setPrefetch(10)
        try c.consume(topology.queues[0].name)
        var got: [String: Delivery] = [:]
        while got.count < 4, let d = try c.nextDelivery(timeout: 5) {
            got[d.properties.messageID ?? "?"] = d
            try c.ack(d.deliveryTag)
        }
        #expect(got["large"]?.body == large)
        #expect(got["empty"]?.body == [])
        #expect(got["headered"]?.properties.headers["x-attempts"]?.intValue == 2)
        #expect(got["headered"]?.properties.headers["x-note"]?.stringValue == "Ysgol ✓")
        #expect(got["after"].map { String(decoding: $0.body, as: UTF8.self) } == "hello")
        #expect(got["after"]?.routingKey == "work.test")
    }

    @Test func messageRejectedPastTheDeliveryLimitIsDeadLetteredWithItsBodyAndReason() throws {
        let topology = TestBroker.isolatedTopology(deliveryLimit: 2)
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        try c.publishConfirmed([TestBroker.message(topology, id: "poison", body: "cannot be handled")])
        try c.setPrefetch(1)
        try c.consume(topology.queues[0].name)
        var deliveries = 0
        while let d = try c.nextDelivery(timeout: 2) {
            deliveries += 1
            try c.reject(d.deliveryTag, requeue: true)
        }
        // The limit counts redeliveries: the first delivery plus `deliveryLimit` more.
        #expect(deliveries == topology.deliveryLimit + 1)
        let reader = try TestBroker.connect()
        let dead = try #require(try reader.get(Topology.deadQueue(topology.queues[0].name)))
        #expect(dead.properties.messageID == "poison")
        #expect(String(decoding: dead.body, as: UTF8.self) == "cannot be handled")
        #expect(dead.properties.headers["x-first-death-reason"]?.stringValue == "delivery_limit")
    }

    @Test func unroutableMessagesAreReportedNotLost() throws {
        let topology = TestBroker.isolatedTopology()
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        var m = TestBroker.message(topology, id: "nowhere")
        m.routingKey = "no.binding.here"
        do {
            try c.publishConfirmed([m])
            Issue.record("an unroutable message was confirmed as if delivered")
        } catch let BrokerError.notConfirmed(ids, reason) {
            #expect(ids == ["nowhere"])
            #expect(reason == "unroutable")
        }
    }

    @Test func retryQueueReturnsMessageToWorkQueueAfterItsDelay() throws {
        let topology = TestBroker.isolatedTopology(retryDelays: [300])
        defer { TestBroker.tearDown(topology) }
        let c = try TestBroker.connect()
        try topology.declare(on: c)
        let work = topology.queues[0].name
        let retry = Topology.retryQueue(work, attempt: 1)
        let started = Date()
        try c.publishConfirmed([OutgoingMessage(exchange: topology.retryExchange, routingKey: retry,
                                                properties: MessageProperties(messageID: "later"),
                                                body: Array("x".utf8))])
        try c.consume(work)
        let d = try #require(try c.nextDelivery(timeout: 10))
        #expect(d.properties.messageID == "later")
        #expect(Date().timeIntervalSince(started) >= 0.25)
        try c.ack(d.deliveryTag)
    }
}

@Suite("Broker URL parsing")
struct BrokerURLTests {
    @Test func parsesEveryPart() throws {
        let e = try BrokerEndpoint(url: "amqp://worker:p%40ss@broker.local:5673/trust%2Fprod?heartbeat=15")
        #expect(e.user == "worker")
        #expect(e.password == "p@ss")
        #expect(e.host == "broker.local")
        #expect(e.port == 5673)
        #expect(e.vhost == "trust/prod")
        #expect(e.heartbeat == 15)
        #expect(!e.tls)
        #expect(!e.description.contains("p@ss"))
    }

    @Test func defaults() throws {
        let e = try BrokerEndpoint(url: BrokerEndpoint.defaultURL)
        #expect(e.vhost == "/")
        #expect(e.port == 5672)
        #expect(try BrokerEndpoint(url: "amqps://h").port == 5671)
    }

    @Test func listsSeveralNodes() throws {
        let list = try BrokerEndpoint.list("amqp://a:1@h1:5672/, amqp://a:1@h2:5673/")
        #expect(list.map(\.host) == ["h1", "h2"])
        #expect(list.map(\.port) == [5672, 5673])
    }

    @Test func rejectsNonsenseWithoutLeakingThePassword() {
        for bad in ["http://u:secret@h/", "amqp://u:secret@h/?heartbeat=2", "amqp://u:secret@h/?bogus=1", ""] {
            do {
                _ = try BrokerEndpoint.list(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!error.description.contains("secret"), "\(error)")
            }
        }
    }
}
