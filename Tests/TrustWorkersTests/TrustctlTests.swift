import Broker
import Foundation
import Testing
import WorkerKit

/// trustctl as an operator runs it: the built binary, its output and its exit codes
/// (0 ok, 1 usage or input error with a message on stderr, 2 system error).
@Suite("trustctl commands and exit codes")
struct TrustctlTests {
    struct Result {
        let status: Int32
        let out: String
        let err: String
    }

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)")
    let prefix = "ctl\(UInt32.random(in: 0...UInt32.max))"

    static var binary: URL {
        get throws {
            let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                        Harness.repoRoot.appendingPathComponent(".build/debug")]
            for dir in dirs {
                for candidate in [dir, dir.deletingLastPathComponent()] {
                    let url = candidate.appendingPathComponent("trustctl")
                    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
                }
            }
            Issue.record("trustctl not built; run `swift build --build-tests` first")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    func run(_ args: [String], env extra: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = try Self.binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["TRUST_DB"] = root.appendingPathComponent("trust.sqlite").path
        env["TRUST_VAR"] = root.path
        env["TRUST_CONFIG"] = Harness.repoRoot.appendingPathComponent("Config").path
        env["TRUST_TOPOLOGY_PREFIX"] = prefix
        env["TRUST_NOW"] = "2021-09-09T08:00:00Z"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                      err: String(decoding: e, as: UTF8.self))
    }

    /// Also deletes the private topology the commands declared, so runs against a long-lived
    /// development broker do not leave idle queues behind.
    func cleanUp() {
        _ = try? run(["dead", "purge", "datadrop.ingest", "--yes"])
        if let settings = try? Settings.fromEnvironment(ProcessInfo.processInfo.environment),
           let c = try? Connection(endpoint: settings.brokers[0], name: "trustctl-tests cleanup") {
            Topology.trust(prefix: prefix).delete(on: c)
            c.close()
        }
        try? FileManager.default.removeItem(at: root)
    }

    @Test func helpAndUsageErrors() throws {
        defer { cleanUp() }
        let help = try run(["help"])
        #expect(help.status == 0)
        #expect(help.out.contains("drop submit") && help.out.contains("dead replay") && help.out.contains("Exit codes"))
        for (args, message) in [
            (["frobnicate"], "unknown command \"frobnicate\""),
            (["drop", "submit", "--drop", "2021-22/winter", "x.csv"], "\"2021-22/winter\" is not a drop; write it as YYYY-YY/term"),
            (["drop", "submit", "--drop", "2021-22/autumn", "/no/such/birstall.csv"], "cannot read /no/such/birstall.csv"),
            (["drop", "status", "--bogus", "1"], "unknown option --bogus"),
            (["report", "board"], "missing --drop"),
            (["dead", "purge", "datadrop.ingest"], "add --yes to confirm"),
            (["dead", "list", "no.such.queue"], "unknown queue \"no.such.queue\""),
            (["purge", "--before", "yesterday", "--yes"], "is not a date"),
            (["survey", "report"], "survey report needs one survey ID"),
        ] {
            let r = try run(args)
            #expect(r.status == 1, "\(args): \(r.status) \(r.err)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
            #expect(r.out.isEmpty, "\(args) printed to stdout: \(r.out)")
        }
    }

    @Test func aSystemErrorExitsTwo() throws {
        defer { cleanUp() }
        let r = try run(["status"], env: ["TRUST_AMQP_URL": "amqp://nobody:nothing@127.0.0.1:1/"])
        #expect(r.status == 2)
        #expect(r.err.contains("cannot connect to broker"))
        #expect(!r.err.contains("nothing"), "the password leaked: \(r.err)")
    }

    @Test func setupStatusAndDeadLettersWithJSON() throws {
        defer { cleanUp() }
        let setup = try run(["setup"])
        #expect(setup.status == 0, "\(setup.err)")
        #expect(setup.out.contains("queues"))
        let status = try run(["status", "--json"])
        #expect(status.status == 0, "\(status.err)")
        let json = try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any]
        let queues = (json?["queues"] as? [[String: Any]])?.compactMap { $0["queue"] as? String } ?? []
        #expect(queues == ["datadrop.ingest", "survey.process", "newsletter.assemble", "reminder.notify"].map { "\(prefix).\($0)" })
        let dead = try run(["dead", "list", "--json"])
        #expect(dead.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(dead.out.utf8)) as? [Any])?.isEmpty == true)
        #expect(try run(["dead", "list"]).out.contains("no dead-lettered messages"))
    }

    @Test func dropSubmitThenStatusInEveryFormat() throws {
        defer { cleanUp() }
        let file = root.appendingPathComponent("birstall.csv")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(DropFixture.csv(school: 1, count: 3, expected: 1)).write(to: file)
        let submit = try run(["drop", "submit", "--drop", "2021-22/autumn", file.path])
        #expect(submit.status == 0, "\(submit.err)")
        #expect(submit.out.contains("queued datadrop.birstall 2021-22/autumn"))
        // Nothing processed yet: every academy is listed as not submitted, in each format, with
        // the drop's deadline (TRUST_NOW is 9 September: 77 days ahead).
        let empty = try run(["drop", "status", "--drop", "2021-22/autumn"])
        #expect(empty.status == 0)
        #expect(empty.out.contains("deadline Thursday 25 November 2021 (77 days left)"), "\(empty.out)")
        #expect(empty.out.contains("0 of 15 academies have data in use"))
        let json = try run(["drop", "status", "--drop", "2021-22/autumn", "--json"]).out
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(rows?.count == 15)
        #expect(rows?.allSatisfy { $0["status"] as? String == "not submitted" && $0["days_left"] as? Int == 77 } == true)
        // A mistyped drop is refused with the known ones, never queued as a new drop.
        let typo = try run(["drop", "submit", "--drop", "2021-22/autum", file.path])
        #expect(typo.status == 1)
        #expect(typo.err.contains("is not a drop"))
        let unknown = try run(["drop", "submit", "--drop", "2031-32/autumn", file.path])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("known drops: 2020-21/autumn"))
    }

    @Test func dropCheckTemplateAndSubmitRefuseABadFileBeforeQueuing() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let template = root.appendingPathComponent("birstall.csv")
        let made = try run(["drop", "template", "--academy", "birstall", "--drop", "2021-22/summer", "--out", template.path])
        #expect(made.status == 0, "\(made.err)")
        let good = try run(["drop", "check", template.path, "--drop", "2021-22/summer"])
        #expect(good.status == 0, "\(good.err)")
        #expect(good.out.contains("valid for 2021-22/summer: 8 pupils"))
        let bad = root.appendingPathComponent("coppice.csv")
        try Data(String(decoding: try Data(contentsOf: template), as: UTF8.self)
            .replacingOccurrences(of: ",3,F,", with: ",7,F,").utf8).write(to: bad)
        let check = try run(["drop", "check", bad.path, "--drop", "2021-22/summer"])
        #expect(check.status == 1)
        #expect(check.err.contains("line 6, column year: \"7\" is not a primary year (N, R, 1–6)"), "\(check.err)")
        let submit = try run(["drop", "submit", "--drop", "2021-22/summer", bad.path])
        #expect(submit.status == 1)
        #expect(submit.err.contains("nothing was queued"))
        #expect(!submit.out.contains("queued"))
    }

    @Test func calendarAndRemindersListings() throws {
        defer { cleanUp() }
        let forums = try run(["forums", "list", "--from", "2021-09-16", "--to", "2021-09-16", "--json"])
        #expect(forums.status == 0, "\(forums.err)")
        #expect(forums.out.contains("english-leaders-2021-09-16"))
        let plan = try run(["reminders", "plan", "--days", "7"])
        #expect(plan.status == 0, "\(plan.err)")
        #expect(plan.out.contains("english-leaders-2021-09-16"), "\(plan.out)")
    }

    @Test func demoDataWritesEveryInput() throws {
        defer { cleanUp() }
        let out = root.appendingPathComponent("demo")
        let r = try run(["demo", "data", "--out", out.path, "--seed", "3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("drops/2021-22-autumn/birstall.csv").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("directory.csv").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("news/items.tsv").path))
        #expect(try run(["demo", "nonsense"]).status == 1)
    }
}
