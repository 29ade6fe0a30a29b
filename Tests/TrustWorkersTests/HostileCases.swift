import Broker
import Foundation
import TrustWorkers

/// One entry of `Tests/Fixtures/hostile/cases.json`: a hostile input, where it is sent and
/// what a data manager must be told about it. The manifest is the single list of cases, so
/// adding a case is adding a file and a line, never a test.
struct HostileCase: Decodable, CustomStringConvertible {
    enum Outcome: String, Decodable {
        /// The file was read and refused: a `datadrop.rejected` event lists why.
        case rejected
        /// The message cannot be placed: it is on the dead-letter queue with `x-error`.
        case deadLettered = "dead-lettered"
        /// Accepted once made safe (a newsletter title put on one line, escaped when rendered):
        /// `expect` is then text the stored newsletter item's title must contain.
        case stored
    }

    let file: String
    let target: String
    let why: String
    let routingKey: String?
    let headers: [String: String]?
    /// The `type` property, when it is not the target's own.
    let type: String?
    /// Absent: a unique id is made. `null`: the property is left out. Otherwise used as given.
    let messageID: String??
    let outcome: Outcome
    let expect: String

    enum CodingKeys: String, CodingKey {
        case file, target, why, headers, type, outcome, expect
        case routingKey = "routing_key", messageID = "message_id"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        target = try c.decode(String.self, forKey: .target)
        why = try c.decode(String.self, forKey: .why)
        routingKey = try c.decodeIfPresent(String.self, forKey: .routingKey)
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        messageID = c.contains(.messageID) ? .some(try c.decodeIfPresent(String.self, forKey: .messageID)) : nil
        outcome = try c.decode(Outcome.self, forKey: .outcome)
        expect = try c.decode(String.self, forKey: .expect)
    }

    var description: String { file }

    static let directory = Harness.repoRoot.appendingPathComponent("Tests/Fixtures/hostile")

    static func all() throws -> [HostileCase] {
        struct Manifest: Decodable { let cases: [HostileCase] }
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).cases
    }

    /// The id the message carries (nil: none at all).
    var id: String? {
        switch messageID {
        case .none: "hostile:\(file)"
        case .some(let given): given
        }
    }

    /// The file's bytes, or for a `.recipe.json` the input it describes, made now so that
    /// 50 MB files never sit in the repository.
    func body() throws -> [UInt8] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
        guard file.hasSuffix(".recipe.json") else { return Array(data) }
        return try JSONDecoder().decode(HostileRecipe.self, from: data).make()
    }

    /// The message as a sender would publish it, with this case's envelope defects.
    func message(_ h: Harness, body: [UInt8]) -> OutgoingMessage {
        let drop = target == "datadrop", csv = drop || target == "survey"
        let key = routingKey ?? "datadrop.birstall"
        let fields = headers ?? (drop ? ["x-drop": "2021-22/autumn"] : [:])
        var m = h.message(routingKey: key, type: type ?? (csv ? "\(target).submitted" : key),
                          contentType: csv ? "text/csv" : "application/json", id: id ?? "", body: body,
                          headers: fields.mapValues { .string($0) })
        if id == nil { m.properties = m.properties.with(messageID: nil) }
        return m
    }
}

/// How to make a large input at test time: a size in bytes, a column count, a row count or a
/// nesting depth, each from a short template.
struct HostileRecipe: Decodable {
    var header: String?
    var row: String?
    var size: Int?
    var headerColumns: Int?
    var rows: Int?
    var nest: Int?
    var open: String?
    var close: String?
    /// A kind of `make_xlsx.py hostile`, or "csv" for a workbook of `csv`.
    var workbook: String?
    var csv: String?

    enum CodingKeys: String, CodingKey {
        case header, row, rows, nest, open, close, workbook, csv
        case headerColumns = "header_columns", size = "bytes"
    }

    func make() throws -> [UInt8] {
        if let workbook { return try Self.workbook(workbook, csv: csv) }
        let line = Array(((row ?? "") + "\r\n").utf8)
        if let depth = nest, let open, let close {
            return Array((String(repeating: open, count: depth) + String(repeating: close, count: depth)).utf8)
        }
        if let count = headerColumns {
            return Array(((1...count).map { "c\($0)" }.joined(separator: ",") + "\r\n").utf8) + line
        }
        var out = Array(((header ?? "") + "\r\n").utf8)
        if let size {
            // Row by row with memcpy: appending 50 MB byte by byte is slow in a debug build.
            var big = [UInt8](repeating: 0, count: size)
            big.withUnsafeMutableBytes { to in
                var at = 0
                for chunk in [out] + Array(repeating: line, count: size / line.count + 1) where at < size {
                    let n = min(chunk.count, size - at)
                    chunk.withUnsafeBytes { to.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: n) }
                    at += n
                }
            }
            return big
        }
        if let rows {
            for _ in 0..<rows { out += line }
            return out
        }
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "recipe names nothing to make"])
    }

    /// A workbook written by `Tests/Fixtures/xlsx/make_xlsx.py`, outside the reader under test:
    /// a `hostile` kind, or ("csv") the CSV text as a sheet.
    static func workbook(_ kind: String, csv: String? = nil) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.xlsx"), input = dir.appendingPathComponent("in.csv")
        let script = Harness.repoRoot.appendingPathComponent("Tests/Fixtures/xlsx/make_xlsx.py").path
        var arguments = [script, "hostile", kind, out.path]
        if kind == "csv" {
            try Data((csv ?? "").utf8).write(to: input)
            arguments = [script, "csv", input.path, out.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "make_xlsx.py \(kind) failed"])
        }
        return Array(try Data(contentsOf: out))
    }
}
