import Broker
import Foundation
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

/// Small valid data-drop files, built here so each expectation can be counted by hand.
enum DropFixture {
    static let header = "upn,year,gender,pp,eal,send,reading,writing,maths,reading_target,writing_target,maths_target,gld,phonics,mtc"

    /// A valid UPN for serial `n` of school `school`.
    static func upn(school: Int, _ n: Int) -> String {
        let digits = String(format: "%03d%04d%02d%03d", 380, 2000 + school, 21, n)
        let letter = UPN.checkLetter(forDigits: Array(digits.utf8))!
        return String(UnicodeScalar(letter)) + digits
    }

    /// `count` year 3 pupils; the first `expected` are at EXS in all three subjects, the rest WTS.
    static func csv(school: Int, count: Int, expected: Int, pp: Int = 0) -> [UInt8] {
        var lines = [header]
        for i in 0..<count {
            let j = i < expected ? "EXS" : "WTS"
            lines.append("\(upn(school: school, i)),3,F,\(i < pp ? "Y" : "N"),N,N,\(j),\(j),\(j),EXS,EXS,EXS,,,")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}

@Suite("Data drops through the broker")
struct DataDropTests {
    let drop = "2021-22/autumn"

    func submission(_ h: Harness, academy: String, body: [UInt8], id: String? = nil) -> OutgoingMessage {
        h.message(routingKey: "datadrop.\(academy)", type: "datadrop.submitted", contentType: "text/csv",
                  id: id ?? "drop:\(academy):\(Digest.sha256Hex(body))", body: body, headers: ["x-drop": .string(drop)])
    }

    @Test func fifteenAcademiesFilesAreIngestedAndTheBoardReportFollows() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let academies = config.academies.academies.map(\.id.rawValue)
        #expect(academies.count == 15)
        try h.publish(academies.enumerated().map { i, a in
            submission(h, academy: a, body: DropFixture.csv(school: i, count: 10 + i, expected: 5))
        })
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM board_reports") == 1
        }
        #expect(try DropStates.load(DropID(drop)!, catalog: config.academies, in: h.db()).submitted.count == 15)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils") == (0..<15).map { 10 + $0 }.reduce(0, +))
        #expect(try h.scalar("SELECT academies FROM board_reports WHERE drop_id = ?", [.text(drop)]) == 15)
        let events = try h.drain(h.topology.eventLogQueue!)
        #expect(events.filter { $0.routingKey.hasPrefix("datadrop.ingested.") }.count == 15)
    }

    @Test func aBadFileChangesNoPupilDataIsReportedAndTheWorkerCarriesOn() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let good = DropFixture.csv(school: 1, count: 12, expected: 6)
        var bad = String(decoding: DropFixture.csv(school: 1, count: 12, expected: 12), as: UTF8.self)
        bad = bad.replacingOccurrences(of: ",3,F,", with: ",7,F,")  // every row: year 7
        let next = DropFixture.csv(school: 2, count: 8, expected: 4)
        try h.publish([submission(h, academy: "birstall", body: good),
                       submission(h, academy: "birstall", body: Array(bad.utf8)),
                       submission(h, academy: "coppice", body: next)])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM drop_attempts") == 3
        }
        // Birstall keeps the first file's 12 pupils with 6 at expected; the bad file stored nothing.
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'birstall'") == 12)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'birstall' AND reading = 'EXS'") == 6)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'coppice'") == 8)
        #expect(try h.scalar("SELECT error_count FROM drop_attempts WHERE academy = 'birstall' AND status = 'rejected'") == 12)
        let rejected = try h.drain(h.topology.eventLogQueue!).filter { $0.routingKey == "datadrop.rejected.birstall" }
        #expect(rejected.count == 1)
        let body = String(decoding: rejected.first?.body ?? [], as: UTF8.self)
        #expect(body.contains("line 2, column year: \\\"7\\\" is not a primary year"), "\(body)")
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let status = try DropStatus.load(db: try h.db(), drop: config.drops.drop(DropID(drop)!)!,
                                         academies: config.academies, today: CalendarDate("2021-11-20")!)
        let birstall = try #require(status.first { $0.academy == "birstall" })
        #expect(birstall.status == "accepted, later file refused")
        #expect(birstall.pupils == 12)
        #expect(birstall.errorCount == 12)
        #expect(birstall.errors.first?.hasPrefix("line 2, column year") == true)
        #expect(status.first { $0.academy == "wilsden" }?.status == "not submitted")
    }

    @Test func aResubmissionReplacesTheEarlierFileWhole() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        try h.publish([submission(h, academy: "thornton", body: DropFixture.csv(school: 3, count: 20, expected: 5)),
                       submission(h, academy: "thornton", body: DropFixture.csv(school: 4, count: 7, expected: 7))])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM drop_attempts") == 2
        }
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'thornton'") == 7)
        let config = try TrustConfig(directory: h.settings.configDirectory)
        #expect(try DropStates.load(DropID(drop)!, catalog: config.academies, in: h.db())[AcademyID("thornton")]?.inUse?.pupils == 7)
    }

    @Test func aDropForAnUnknownAcademyIsDeadLetteredWithItsReason() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        try h.publish([submission(h, academy: "hogwarts", body: DropFixture.csv(school: 5, count: 3, expected: 1))])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM processed_messages WHERE outcome = 'dead-lettered'") == 1
        }
        let dead = try h.drain(Topology.deadQueue(h.topology.queues[0].name))
        #expect(dead.count == 1)
        #expect(dead.first?.properties.headers["x-error"]?.stringValue?.contains("hogwarts") == true)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils") == 0)
    }

    @Test func noRawUPNReachesTheDatabaseFile() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let body = DropFixture.csv(school: 6, count: 30, expected: 10)
        var withDuplicate = String(decoding: body, as: UTF8.self)
        withDuplicate += "\(DropFixture.upn(school: 6, 0)),3,F,N,N,N,EXS,EXS,EXS,EXS,EXS,EXS,,,\r\n"
        try h.publish([submission(h, academy: "wilsden", body: body),
                       submission(h, academy: "rudheath", body: Array(withDuplicate.utf8))])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM drop_attempts") == 2
        }
        let d = try h.db()
        try d.checkpoint(.truncate)
        d.close()
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes.append(FileManager.default.contents(atPath: h.settings.databasePath + suffix) ?? Data())
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let leaked = (0..<30).map { DropFixture.upn(school: 6, $0) }.filter { text.contains($0) }
        #expect(leaked.isEmpty, "raw UPNs in the database: \(leaked.prefix(3))")
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'wilsden'") == 30)
    }
}

@Suite("Data drops: the seed-shaped set through the broker to the Board report")
struct BoardReportPipelineTests {
    /// Autumn and spring of a generated year through the worker; then a separate Python script
    /// recomputes every figure of the spring report's JSON (each year × subject, every
    /// statutory measure, every group figure, same-pupil progress since autumn) from the stored
    /// rows with plain SQL, and compares to 0.01 points.
    @Test func twoGeneratedDropsGiveAReportEveryFigureOfWhichTheStoredRowsConfirm() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let files = DropDataGenerator(seed: 7, catalog: config.academies).files(startYear: 2021)
            .filter { $0.drop.term != .summer }
        #expect(files.count == 30)
        try h.publish(files.map { f in
            h.message(routingKey: "datadrop.\(f.academy)", type: "datadrop.submitted", contentType: "text/csv",
                      id: "gen:\(f.filename)", body: f.bytes, headers: ["x-drop": .string(f.drop.description)])
        })
        let settings = h.settings
        try h.run(seconds: 90, { try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM board_reports") == 2
        }
        #expect(try DropStates.load(DropID("2021-22/autumn")!, catalog: config.academies, in: h.db()).pupils == 6_082)
        let path = try #require(try h.db().scalar("SELECT html_path FROM board_reports WHERE drop_id = '2021-22/spring'")?.stringValue)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("Spring 2021-22"))
        #expect(html.contains("15 of 15 academies submitted"))
        #expect(!html.contains("<script"))
        let jsonPath = path.replacingOccurrences(of: ".html", with: ".json")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/report/check_board_report.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, settings.databasePath, jsonPath]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["error_count"] as? Int == 0, "\(result["errors"] ?? "")")
        // 16 bodies × (12 columns + 21 statutory + 120 year cells + 10 × 26 group figures + 4 gaps + progress).
        #expect((result["checked"] as? Int ?? 0) > 16 * 400)
        let report = try JSONDecoder().decode(BoardReport.self, from: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
        #expect(report.trust.figures.progress?.since == "2021-22/autumn")
        #expect(report.trust.figures.progress.map { $0.rows.reduce(0) { $0 + $1.matched } } ?? 0 > 10_000)
    }
}
