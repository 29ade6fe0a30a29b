import Broker
import Foundation
import WorkerKit

/// Sends messages into the system the way every sender must: persistent, with a message id,
/// a type and a timestamp, confirmed by the broker, and mandatory so an unroutable message is
/// an error rather than silently dropped.
public enum IntakePublisher {
    public static func message(routingKey: String, type: String, contentType: String, messageID: String,
                               body: [UInt8], headers: [String: FieldValue] = [:],
                               topology: Topology = .trust, now: Date = Date()) -> OutgoingMessage {
        OutgoingMessage(exchange: topology.intakeExchange, routingKey: routingKey,
                        properties: MessageProperties(messageID: messageID, type: type, contentType: contentType,
                                                      timestamp: UInt64(now.timeIntervalSince1970),
                                                      appID: "trustctl", headers: headers),
                        body: body)
    }

    /// Publishes with confirms on a short-lived connection. Operators declare the topology
    /// first so the bindings exist even before any worker has started; an academy's user may
    /// not declare anything (`declare: false`). Every message carries the connection's user as
    /// `user_id`, which the broker checks, so the worker knows who really sent it.
    public static func publish(_ messages: [OutgoingMessage], settings: Settings,
                               name: String = "trustctl", declare: Bool = true) throws {
        let c = try Connection.first(of: settings.brokers, name: name)
        defer { c.close() }
        if declare { try settings.topology.declare(on: c) }
        try c.publishConfirmed(messages.map { m in
            var m = m
            m.properties = m.properties.with(userID: c.endpoint.user)
            return m
        })
    }
}
