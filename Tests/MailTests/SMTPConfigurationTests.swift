import Foundation
import Mail
import Testing

@Suite struct SMTPConfigurationTests {
    @Test func parsesTheContractURLForms() throws {
        let plain = try SMTPConfiguration(url: "smtp://relay.focus-trust.local:2525")
        #expect(plain == SMTPConfiguration(host: "relay.focus-trust.local", port: 2525))

        let strict = try SMTPConfiguration(url: "smtp://127.0.0.1?require_tls=1")
        #expect(strict.port == 25 && strict.security == .startTLSRequired)

        let implicit = try SMTPConfiguration(url: "SMTPS://mail.example.org")
        #expect(implicit.port == 465 && implicit.security == .implicitTLS)
        #expect(implicit.endpoint == "smtps://mail.example.org:465")
    }

    @Test func credentialsAreDecodedRequireTLSAndNeverShown() throws {
        let configuration = try SMTPConfiguration(url: "smtp://news%40trust:p%40ss%3Aw0rd@relay:587")
        #expect(configuration.username == "news@trust")
        #expect(configuration.password == "p@ss:w0rd")
        #expect(configuration.security == .startTLSRequired)
        #expect(configuration.endpoint == "smtp://relay:587")
        #expect(!configuration.description.contains("p@ss") && !configuration.description.contains("w0rd"))
    }

    @Test(arguments: [
        "", "relay:25", "http://relay:25", "smtp://", "smtp://relay:25/path", "smtp://relay:25?tls=1",
        "smtp://relay:25?require_tls=maybe", "smtp://relay:0", "smtp://relay:99999",
    ])
    func rejectsURLsThatWouldMisbehave(_ url: String) {
        let error = #expect(throws: MailError.self) { try SMTPConfiguration(url: url) }
        #expect(error?.isTransient == false)
    }

    @Test func environmentChoosesTheTransport() throws {
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("MailTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outbox) }
        #expect(try makeMailTransport(smtpURL: nil, outboxDirectory: outbox) is OutboxTransport)
        #expect(try makeMailTransport(smtpURL: "", outboxDirectory: outbox) is OutboxTransport)
        #expect(try makeMailTransport(smtpURL: "smtp://127.0.0.1:2525", outboxDirectory: outbox) is SMTPTransport)
    }
}
