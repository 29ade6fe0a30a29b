import Foundation
import Mail
import Testing
import TrustDomain

/// A process running `Fixtures/smtp_fixture.py` (aiosmtpd and friends) on 127.0.0.1.
final class PythonFixture {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/smtp_fixture.py").path

    let port: Int
    private let process = Process()
    private let stdin = Pipe()

    /// Starts `smtp_fixture.py <arguments>` and waits for the port it prints.
    init(_ arguments: [String]) throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script] + arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw FixtureError(message: "fixture \(arguments) printed no port")
        }
        self.port = port
    }

    /// Closing stdin alone would do (the fixture exits on EOF); terminating as well makes
    /// the end certain before the test's temporary directory is removed.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs `body` with a fixture that is stopped however `body` ends.
    static func with<T>(_ arguments: [String], _ body: (PythonFixture) throws -> T) throws -> T {
        let fixture = try PythonFixture(arguments)
        defer { fixture.stop() }
        return try body(fixture)
    }

    /// Python's `email` package's view of every `.eml` file in `directory`.
    static func parse(_ directory: URL) throws -> [ParsedMessage] {
        let process = Process(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "parse", directory.path]
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode([ParsedMessage].self, from: output)
    }
}

struct ParsedMessage: Decodable {
    let file: String
    let message_id: String
    let subject: String
    let to: String
    let structure: String
    let defects: String
    let text: String
}

struct FixtureError: Error {
    let message: String
}

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
