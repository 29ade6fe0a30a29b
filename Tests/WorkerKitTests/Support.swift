import Broker
import Foundation
import Store
import Testing
import WorkerKit

/// Paths and processes for the runtime's integration tests.
enum Fixture {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var brokerURL: String {
        ProcessInfo.processInfo.environment["TRUST_AMQP_URL"] ?? BrokerEndpoint.defaultURL
    }

    static func endpoint() throws -> BrokerEndpoint { try BrokerEndpoint(url: brokerURL) }

    static func connect() throws -> Connection {
        do {
            return try Connection(endpoint: try endpoint(), name: "workerkit-tests")
        } catch {
            Issue.record("no broker at \(brokerURL) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    /// The probe executable built next to the test bundle by `swift build --build-tests`.
    static var probe: URL {
        get throws {
            let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                        repoRoot.appendingPathComponent(".build/debug")]
            for dir in dirs {
                for candidate in [dir, dir.deletingLastPathComponent()] {
                    let url = candidate.appendingPathComponent("RuntimeProbe")
                    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
                }
            }
            Issue.record("RuntimeProbe not built; run `swift build --build-tests` first")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    static func tempDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wk-\(UUID().uuidString).sqlite").path
    }

    static func uniquePrefix() -> String { "wk\(UInt32.random(in: 0...UInt32.max))" }

    /// Starts a probe process in the given mode; its log goes to a file for post-mortems.
    static func startProbe(_ mode: String, prefix: String, db: String, extra: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = try probe
        p.arguments = [mode, "--prefix", prefix, "--db", db] + extra
        var env = ProcessInfo.processInfo.environment
        env["TRUST_AMQP_URL"] = brokerURL
        env["TRUST_DB"] = db
        p.environment = env
        let logURL = URL(fileURLWithPath: db + ".\(mode).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        p.standardError = handle
        p.standardOutput = handle
        try p.run()
        return p
    }

    static func publish(prefix: String, count: Int, from: Int = 0) throws {
        let p = try startProbe("publish", prefix: prefix, db: tempDatabase(),
                               extra: ["--count", "\(count)", "--from", "\(from)"])
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    /// Effects per message id, read straight from the SQLite file.
    static func effects(_ db: String) throws -> [String: Int] {
        guard FileManager.default.fileExists(atPath: db) else { return [:] }
        let d = try Database(path: db, readOnly: true)
        defer { d.close() }
        let hasTable = try d.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'probe_effects'")?.int64Value ?? 0
        guard hasTable > 0 else { return [:] }
        var out: [String: Int] = [:]
        for row in try d.query("SELECT message_id, count(*) AS n FROM probe_effects GROUP BY message_id") {
            out[row.string(0)!] = row.int(1)
        }
        return out
    }

    static func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    /// Asserts every one of `count` messages has exactly one effect.
    static func expectExactlyOnce(_ effects: [String: Int], count: Int,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let missing = (0..<count).filter { effects["m-\($0)"] == nil }
        let doubled = effects.filter { $0.value > 1 }
        #expect(missing.isEmpty, "missing \(missing.count), e.g. \(missing.prefix(5))", sourceLocation: sourceLocation)
        #expect(doubled.isEmpty, "doubled \(doubled.count), e.g. \(doubled.prefix(5))", sourceLocation: sourceLocation)
        #expect(effects.count == count, "effects for \(effects.count) ids, expected \(count)", sourceLocation: sourceLocation)
    }

    /// Runs a script and waits for it with waitpid. Foundation's Process would also wait for
    /// the broker that `scripts/broker start` leaves running, which inherits its pipe.
    static func runScript(_ path: String, _ arguments: [String]) -> Int32 {
        var pid: pid_t = 0
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, path, nil, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    static func cleanUp(prefix: String) {
        guard let c = try? Connection(endpoint: try endpoint(), name: "cleanup") else { return }
        Topology.isolated(prefix: prefix).delete(on: c)
        c.close()
    }
}
