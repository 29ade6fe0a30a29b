import Broker
import TrustWorkers
import Foundation
import Testing

/// What the broker itself enforces, with the users and TLS listener `scripts/broker` sets up.
@Suite("Broker security: academy users, user_id, TLS")
struct SecurityTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let secrets = repoRoot.appendingPathComponent("var/secrets")

    static func password(_ user: String) throws -> String {
        let url = secrets.appendingPathComponent("amqp/\(user).password")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no password for \(user) in var/secrets (scripts/broker start provisions users)")
            throw CocoaError(.fileNoSuchFile)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var plainPort: Int {
        get throws { try TestBroker.endpoint.port }
    }

    static func academy(_ user: String) throws -> Connection {
        try Connection(endpoint: try BrokerEndpoint(url: "amqp://\(user):\(try password(user))@127.0.0.1:\(try plainPort)/"),
                       name: "security-test \(user)")
    }

    static func drop(from user: String, to academy: String, userID: String?, id: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "trust.intake", routingKey: "datadrop.\(academy)",
                        properties: MessageProperties(messageID: id, type: "datadrop.submitted", contentType: "text/csv",
                                                      userID: userID, headers: ["x-drop": .string("2021-22/autumn")]),
                        body: Array("upn\n".utf8))
    }

    /// Removes the test's own message from the real queue, leaving any others in place.
    static func remove(_ id: String) throws {
        let c = try TestBroker.connect()
        defer { c.close() }
        var others: [UInt64] = []
        while let d = try c.get("datadrop.ingest") {
            if d.properties.messageID == id { try c.ack(d.deliveryTag) } else { others.append(d.deliveryTag) }
        }
        for tag in others { try c.reject(tag, requeue: true) }
    }

    init() throws {
        let c = try TestBroker.connect()
        try Topology.trust.declare(on: c)
        c.close()
    }

    @Test func anAcademyMayPublishItsOwnDrop() throws {
        let id = "sec-own-\(UUID().uuidString)"
        let c = try Self.academy("birstall")
        defer { c.close() }
        try c.publishConfirmed([Self.drop(from: "birstall", to: "birstall", userID: "birstall", id: id)])
        try Self.remove(id)
    }

    @Test func anAcademyPublishingAnotherAcademysDropIsRefusedByTheBroker() throws {
        let c = try Self.academy("birstall")
        defer { c.close() }
        do {
            try c.publishConfirmed([Self.drop(from: "birstall", to: "coppice", userID: "birstall", id: "sec-other")])
            Issue.record("birstall published datadrop.coppice")
        } catch {
            #expect(error.replyCode == 403, "\(error)")
            #expect(error.description.contains("ACCESS_REFUSED"))
        }
    }

    @Test func aForgedUserIDIsRefusedByTheBroker() throws {
        let c = try Self.academy("birstall")
        defer { c.close() }
        do {
            try c.publishConfirmed([Self.drop(from: "birstall", to: "birstall", userID: "coppice", id: "sec-forged")])
            Issue.record("a forged user_id was accepted")
        } catch {
            #expect(error.replyCode == 406, "\(error)")
            #expect(error.description.contains("user_id"))
        }
    }

    @Test func anAcademyCannotReadOrDeclare() throws {
        let c = try Self.academy("thornton")
        defer { c.close() }
        do {
            _ = try c.get("datadrop.ingest")
            Issue.record("an academy user read a work queue")
        } catch {
            #expect(error.replyCode == 403, "\(error)")
        }
        do {
            try c.declareQueue("thornton-own-queue")
            Issue.record("an academy user declared a queue")
        } catch {
            #expect(error.replyCode == 403, "\(error)")
        }
    }

    @Test func guestIsGoneUnlessKeptForDevelopment() throws {
        guard ProcessInfo.processInfo.environment["TRUST_KEEP_GUEST"] == nil else { return }
        do {
            _ = try Connection(endpoint: try BrokerEndpoint(url: "amqp://guest:guest@127.0.0.1:\(try Self.plainPort)/"),
                               name: "guest probe")
            Issue.record("guest can still log in")
        } catch {
            let text = "\(error)"
            #expect(text.contains("login") || text.contains("ACCESS_REFUSED"), "\(text)")
        }
    }

    @Test func tlsWithTheLocalCAConnects() throws {
        let ca = Self.secrets.appendingPathComponent("tls/ca.pem").path
        let url = "amqps://operator:\(try Self.password("operator"))@localhost:\(try Self.plainPort - 1)/?cacertfile=\(ca)"
        let c = try Connection(endpoint: try BrokerEndpoint(url: url), name: "tls test")
        defer { c.close() }
        #expect(try c.declareQueue("datadrop.ingest", passive: true).consumers >= 0)
    }

    @Test func tlsWithTheWrongCAFailsClearly() throws {
        let url = "amqps://operator:\(try Self.password("operator"))@localhost:\(try Self.plainPort - 1)/?cacertfile=/etc/ssl/certs/ca-certificates.crt"
        do {
            _ = try Connection(endpoint: try BrokerEndpoint(url: url), name: "tls wrong ca")
            Issue.record("connected with a CA that did not sign the broker's certificate")
        } catch {
            let text = "\(error)"
            #expect(text.contains("not signed by a CA in /etc/ssl/certs/ca-certificates.crt"), "\(text)")
            #expect(!text.contains(try Self.password("operator")))
        }
    }
}
