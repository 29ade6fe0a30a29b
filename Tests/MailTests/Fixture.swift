import Foundation
import Mail
import Testing
import TrustDomain

/// A unique temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("MailTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A newsletter-shaped message to colleague `n`, with a marker in the body so tests can
/// check that errors never quote the body.
func newsletter(_ n: Int, to address: String? = nil) throws -> OutgoingMail {
    let message = try MIMEMessage(
        messageID: "<news-2021-09-17.rcp-\(n)@focus-trust.local>",
        date: Date(timeIntervalSince1970: 1_631_865_600),
        from: MailAddress("news@focus-trust.local", displayName: "Focus-Trust Central Team"),
        to: [MailAddress(address ?? "colleague-\(n)@focus-trust.local", displayName: "Colleague \(n)")],
        subject: "Trust newsletter — Café \(n)",
        text: "Dear colleague \(n),\nBODY-MARKER-\(n)\n" + String(repeating: "News item. ", count: 200),
        html: "<p>Dear colleague \(n)</p><p>BODY-MARKER-\(n)</p>")
    return OutgoingMail(message)
}

func smtp(_ port: Int, security: SMTPConfiguration.Security = .startTLSIfOffered,
          timeout: Duration = .seconds(30)) -> SMTPConfiguration {
    var configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: security)
    configuration.connectTimeout = .seconds(5)
    configuration.timeout = timeout
    return configuration
}
