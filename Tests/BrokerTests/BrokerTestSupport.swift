import Broker
import Foundation
import Testing

/// Integration tests talk to the real broker that `scripts/test` starts. They never skip: an
/// unreachable broker is a failure with a message saying how to start one.
enum TestBroker {
    static var endpoint: BrokerEndpoint {
        get throws {
            try BrokerEndpoint(url: ProcessInfo.processInfo.environment["TRUST_AMQP_URL"]
                               ?? BrokerEndpoint.defaultURL)
        }
    }

    static func connect(_ name: String = "broker-tests") throws -> Connection {
        let endpoint = try endpoint
        do {
            return try Connection(endpoint: endpoint, name: name)
        } catch {
            Issue.record("no broker at \(endpoint) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    /// A private copy of the topology with unique names, so tests can run in parallel with
    /// each other and with a running demo without touching real queues.
    static func isolatedTopology(retryDelays: [Int] = [100, 200], deliveryLimit: Int = 3) -> Topology {
        .isolated(prefix: "t\(UInt32.random(in: 0...UInt32.max))", retryDelays: retryDelays,
                  deliveryLimit: deliveryLimit)
    }

    static func tearDown(_ topology: Topology) {
        guard let c = try? connect("broker-tests-cleanup") else { return }
        topology.delete(on: c)
        c.close()
    }

    static func message(_ topology: Topology, id: String, body: String = "hello") -> OutgoingMessage {
        OutgoingMessage(exchange: topology.intakeExchange, routingKey: "work.test",
                        properties: MessageProperties(messageID: id, type: "test", contentType: "text/plain"),
                        body: Array(body.utf8))
    }
}
