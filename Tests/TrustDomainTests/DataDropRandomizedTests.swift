import Testing

@testable import TrustDomain

/// SplitMix64 (Steele, Lea and Flood, 2014): a few lines, good enough mixing for test data, and
/// seeded so any failure reproduces exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bytes that exercise the parser's and validator's branches: structure, encodings, codes.
private let interestingBytes: [UInt8] =
    Array(",\"\r\n =+-@YNEXSRKG0123456789".utf8) + [0x00, 0x80, 0xA9, 0xC3, 0xE2, 0xED, 0xF4, 0xFE, 0xFF]

private func mutate(_ bytes: inout [UInt8], using rng: inout SplitMix64) {
    func anyByte() -> UInt8 {
        Bool.random(using: &rng) ? interestingBytes.randomElement(using: &rng)! : .random(in: 0...255, using: &rng)
    }
    let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
    switch Int.random(in: 0..<5, using: &rng) {
    case 0 where !bytes.isEmpty: bytes[position] = anyByte()
    case 1: bytes.insert(anyByte(), at: position)
    case 2 where !bytes.isEmpty: bytes.remove(at: position)
    case 3 where !bytes.isEmpty:
        let slice = bytes[position..<min(bytes.count, position + Int.random(in: 1...40, using: &rng))]
        bytes.insert(contentsOf: slice, at: Int.random(in: 0...bytes.count, using: &rng))
    default: bytes.removeLast(Int.random(in: 0...min(bytes.count, 30), using: &rng))
    }
}

@Suite("Data-drop randomized robustness")
struct DataDropRandomizedTests {
    @Test func mutatedFilesAlwaysGiveRecordsOrErrors() {
        let base = Array(dropFile(
            pupilRow(1, year: "N"), pupilRow(2, year: "R"), pupilRow(3, year: "R", [.gld: "N"]),
            pupilRow(4, year: "1", [.phonics: "33"]), pupilRow(5, year: "2"),
            pupilRow(6, year: "3", [.pp: "Y", .send: "K"]), pupilRow(7, year: "4", [.mtc: "19"]),
            pupilRow(8, year: "5", [.gender: "\"M\"", .reading: "GDS"]),
            pupilRow(9, year: "6", [.writing: "\" wts \"", .send: "E"]),
            pupilRow(10, year: "6", [.eal: "y", .mathsTarget: "gds"])
        ).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var rng = SplitMix64(seed: 0x5EED_DA7A_D409)
        var accepted = 0
        var rejected = 0
        for iteration in 0..<4_000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) { mutate(&bytes, using: &rng) }
            let outcome = check(bytes)
            guard let succeeded = outcome.succeeded else {
                Issue.record("iteration \(iteration): \(outcome.problem ?? "")")
                return
            }
            if succeeded { accepted += 1 } else { rejected += 1 }
        }
        // Most random edits break a rule, but enough survive to exercise the success path.
        #expect(accepted > 20)
        #expect(rejected > 1_000)
    }

    /// Runs parser and validator on one input and checks what they return is well formed.
    private func check(_ bytes: [UInt8]) -> (succeeded: Bool?, problem: String?) {
        if let table = try? CSV.parse(bytes, limits: DataDropFile.defaultLimits) {
            let lines = [table.header.line] + table.rows.map(\.line)
            if lines != lines.sorted() || Set(lines).count != lines.count {
                return (nil, "record lines not strictly increasing: \(lines)")
            }
        }
        do throws(DropRejection) {
            let records = try DataDropFile.validate(bytes)
            if records.isEmpty { return (nil, "accepted with no records") }
            if Set(records.map(\.upn)).count != records.count { return (nil, "duplicate UPN accepted") }
            return (true, nil)
        } catch {
            if error.errors.isEmpty || error.errors.count > DataDropFile.defaultMaxListedErrors
                || error.totalCount < error.errors.count
            {
                return (nil, "malformed rejection: \(error)")
            }
            for problem in error.errors {
                let value = problem.value ?? ""
                let hasControl = value.unicodeScalars.contains {
                    $0.properties.generalCategory == .control
                }
                if problem.line < 0 || problem.line > bytes.count + 1 || problem.reason.isEmpty
                    || hasControl || value.unicodeScalars.count > 40 * 10 + 1
                {
                    return (nil, "unsafe error: \(problem)")
                }
            }
            return (false, nil)
        }
    }
}
