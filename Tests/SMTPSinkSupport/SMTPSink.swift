import Foundation

/// `scripts/smtp-sink`, the project's one loopback SMTP server (Debian's aiosmtpd), run for a
/// test: MailTests and TrustWorkersTests both use it, and the demo and benchmarks run the same
/// script. Its stdin is held open and it exits when that closes, so it dies with the test
/// process even if the test crashes before stopping it. Stop it yourself with `defer`.
public final class SMTPSink {
    /// The script, found from the repository root (this file is `Tests/SMTPSinkSupport/…`).
    public static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/smtp-sink").path

    /// Something on a port that is not a mail server.
    public enum Impostor: String {
        /// Accepts TCP connections and never says a word.
        case mute
        /// A bound port nobody listens on: connections are refused.
        case closed
    }

    /// Where a mail server keeps what it accepts; nil for an impostor.
    public let inbox: URL?
    /// `address=code` answers to RCPT.
    public let replies: [String]
    /// The port it listens on (or holds); a restart keeps it.
    public private(set) var port: Int
    private let command: [String]
    private var process: Process?
    private var stdin: Pipe?

    /// A mail server on `port` (0: any free port) keeping each message it accepts in `inbox`
    /// as `<pid>-<n>.eml` with its envelope `<pid>-<n>.json`, so a restarted server never
    /// overwrites what the previous one received; every EHLO is appended to `sessions.log`.
    /// `replies` (`address=550`) make it answer RCPT for some addresses with a code.
    public init(inbox: URL, port: Int = 0, replies: [String] = []) throws {
        self.inbox = inbox
        self.replies = replies
        self.port = port
        command = ["serve", inbox.path] + replies.flatMap { ["--reply", $0] }
        try start()
    }

    public init(_ impostor: Impostor) throws {
        inbox = nil
        replies = []
        port = 0
        command = [impostor.rawValue]
        try start()
    }

    /// (Re)starts the server, on the same port once it has one.
    public func start() throws {
        let process = Process(), stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script] + command + (inbox == nil ? [] : ["--port", String(port)])
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let bound = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            process.waitUntilExit()
            throw SinkError(message: "scripts/smtp-sink \(command.joined(separator: " ")) printed no port")
        }
        port = bound
        self.process = process
        self.stdin = stdin
    }

    /// Kills the server outright (SIGKILL): no goodbye to connected clients.
    public func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? stdin?.fileHandleForWriting.close()
        self.process = nil
    }

    /// Closing stdin alone would do (the sink exits on EOF); terminating as well makes the
    /// end certain before the test's temporary directory is removed.
    public func stop() {
        try? stdin?.fileHandleForWriting.close()
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    /// The names (without `.eml`) of the messages accepted so far.
    private var names: [String] {
        guard let inbox else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? [])
            .filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }
    }

    /// Messages accepted so far.
    public var received: Int { names.count }

    /// Messages accepted per envelope recipient (lower-cased), read from the envelopes alone.
    public func receivedCounts() throws -> [String: Int] {
        guard let inbox else { return [:] }
        var counts: [String: Int] = [:]
        for name in names {
            let data = try Data(contentsOf: inbox.appendingPathComponent(name + ".json"))
            let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            for to in envelope?["rcpt_tos"] as? [String] ?? [] { counts[to.lowercased(), default: 0] += 1 }
        }
        return counts
    }

    /// Python's `email` package's view of every message accepted.
    public func parse() throws -> [ReceivedMessage] {
        guard let inbox else { return [] }
        return try Self.parse(inbox)
    }

    /// Python's `email` package's view of every `.eml` file in `directory` (an inbox, an outbox).
    public static func parse(_ directory: URL) throws -> [ReceivedMessage] {
        let process = Process(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "parse", directory.path]
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SinkError(message: "scripts/smtp-sink parse \(directory.path) exited \(process.terminationStatus)")
        }
        return try JSONDecoder().decode([ReceivedMessage].self, from: output)
    }
}

/// One message as `scripts/smtp-sink parse` reports it.
public struct ReceivedMessage: Decodable, Sendable {
    public let file: String
    /// The envelope's sender and recipients (comma-separated); "" for a file without one.
    public let mail_from: String
    public let rcpt: String
    public let message_id: String
    public let subject: String
    public let to: String
    /// Header names in order, comma-separated.
    public let headers: String
    /// Every part's content type, comma-separated.
    public let structure: String
    public let defects: Int
    /// The plain-text and HTML bodies, "" if there is none.
    public let text: String
    public let html: String
}

public struct SinkError: Error {
    public let message: String
}
