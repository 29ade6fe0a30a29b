import Foundation
import Testing

@testable import TrustDomain
@testable import TrustFixtures

/// Random edits to a seed input, drawn from the demo data's `SplitMix64` so that a failure
/// reproduces exactly from the seed and the iteration number. Inputs stay under `maxBytes`,
/// so every parse is bounded and "never hangs" is shown by the test finishing.
struct HostileMutator {
    var rng: TrustFixtures.SplitMix64
    let maxBytes: Int

    init(seed: UInt64, maxBytes: Int = 16 << 10) {
        rng = TrustFixtures.SplitMix64(seed: seed)
        self.maxBytes = maxBytes
    }

    /// Byte strings that sit on the parsers' branches: structure, encodings, escapes, formulas.
    static let tokens: [[UInt8]] = [
        "\"", "\"\"", ",", "\r", "\n", "\r\n", "=HYPERLINK(\"http://x\",\"y\")", "<script>", "{", "}", "[", "]",
        ":", "null", "true", "1e999", "-0", "9223372036854775808", "\\u0000", "\\ud800", "\\", "é", "\u{202E}",
    ].map { Array($0.utf8) } + [[0x00], [0xFF, 0xFE], [0xFE, 0xFF], [0xEF, 0xBB, 0xBF], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
                                [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82]]

    mutating func below(_ n: Int) -> Int { rng.below(n) }

    /// `seed` after one to five edits.
    mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0...rng.below(5) { edit(&bytes) }
        return bytes.count > maxBytes ? Array(bytes.prefix(maxBytes)) : bytes
    }

    private mutating func edit(_ bytes: inout [UInt8]) {
        let at = rng.below(bytes.count + 1)
        let token = Self.tokens[rng.below(Self.tokens.count)]
        switch rng.below(7) {
        case 0 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 1: bytes.insert(contentsOf: token, at: at)
        case 2 where at < bytes.count: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(8)))
        case 3 where at < bytes.count:
            let slice = Array(bytes[at..<min(bytes.count, at + 1 + rng.below(60))])
            bytes.insert(contentsOf: slice, at: rng.below(bytes.count + 1))
        case 4: bytes.insert(contentsOf: Array([[UInt8]](repeating: token, count: 1 + rng.below(300)).joined()), at: at)
        case 5: bytes.removeLast(min(bytes.count, rng.below(40)))
        default: if at < bytes.count { bytes[at] = token[0] } else { bytes += token }
        }
    }
}

/// The CSV reader under thousands of mutated and generated inputs: it never crashes, an error
/// always names a line inside the file, and whatever it accepts survives a write-and-reread.
@Suite("Hostile inputs: CSV reader properties")
struct HostileCSVPropertyTests {
    static let formsExport = Array("""
        ID,Start time,Completion time,Email,Name,"How do you rate ""the forum""?",Comments\r
        1,1/10/21 9:00,1/10/21 9:05,a@x.org,Ann,Agree,"Line one\r
        line two, with a comma"\r
        2,1/10/21 9:10,1/10/21 9:12,b@x.org,Bob,Strongly agree,\r
        3,1/10/21 9:20,1/10/21 9:30,c@x.org,"Cé, Dee",Disagree,"=HYPERLINK(""http://x"",""y"")"\r

        """.utf8)

    /// Limits small enough that mutations reach every cap.
    static let tight = CSVLimits(maxBytes: 8 << 10, maxColumns: 12, maxFieldBytes: 80, maxRows: 8)

    @Test func mutatedFilesGiveATableOrAnErrorOnALineOfTheFile() throws {
        var mutator = HostileMutator(seed: 0xC5F_0BAD)
        var outcomes = [String: Int]()
        for iteration in 0..<6_000 {
            let bytes = mutator.mutate(Self.formsExport)
            for limits in [CSVLimits.standard, Self.tight] {
                do throws(CSVError) {
                    let table = try CSV.parse(bytes, limits: limits)
                    try Self.roundTrips(table, limits: limits, iteration: iteration)
                    outcomes["parsed", default: 0] += 1
                } catch {
                    outcomes["\(error)".split(separator: ":").first.map(String.init) ?? "", default: 0] += 1
                    let lines = 1 + bytes.filter { $0 == 0x0A || $0 == 0x0D }.count
                    if let line = error.line, !(1...lines).contains(line) {
                        Issue.record("iteration \(iteration): \(error) outside the file's \(lines) lines")
                    }
                    #expect(!error.reason.isEmpty)
                }
                #expect((try? CSV.parse(Data(bytes), limits: limits)) == (try? CSV.parse(bytes, limits: limits)))
            }
        }
        // Both paths are exercised: a property that only ever sees errors would prove little.
        #expect(outcomes["parsed", default: 0] > 500, "\(outcomes)")
        #expect(outcomes.count > 6, "too few kinds of outcome: \(outcomes)")
    }

    @Test func generatedTablesSurviveWritingAndReadingBack() throws {
        var rng = TrustFixtures.SplitMix64(seed: 0x7AB1E)
        let alphabet = Array("ab ,\"\r\n=+-@é😀\u{202E}\t'").map(String.init)
        for iteration in 0..<2_000 {
            let width = 1 + rng.below(6)
            let rows = (0...rng.below(6)).map { _ in
                (0..<width).map { _ in (0..<rng.below(12)).map { _ in alphabet[rng.below(alphabet.count)] }.joined() }
            }
            let bytes = Array(Self.written(rows).utf8)
            let table = try CSV.parse(bytes)
            #expect([table.header.fields] + table.rows.map(\.fields) == rows, "iteration \(iteration)")
        }
    }

    /// RFC 4180 with every field quoted, the one form that needs no decisions.
    static func written(_ rows: [[String]]) -> String {
        rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }

    private static func roundTrips(_ table: CSVTable, limits: CSVLimits, iteration: Int) throws(CSVError) {
        let lines = [table.header.line] + table.rows.map(\.line)
        #expect(lines == lines.sorted() && Set(lines).count == lines.count, "iteration \(iteration): \(lines)")
        let fields = [table.header.fields] + table.rows.map(\.fields)
        let again = try CSV.parse(Array(written(fields).utf8))
        #expect([again.header.fields] + again.rows.map(\.fields) == fields, "iteration \(iteration)")
        #expect(fields.allSatisfy { $0.count == fields[0].count && $0.count <= limits.maxColumns })
    }
}
