import Testing

@testable import TrustDomain

@Suite("UPN check letter")
struct DataDropUPNTests {
    /// Worked by hand: multiply the digit in character position k (k = 2…13) by k, add, take
    /// the remainder mod 23, and index ABCDEFGHJKLMNPQRTUVWXYZ (A=0 … H=7, J=8 … N=12, P=13,
    /// Q=14, R=15, T=16 … Z=22).
    @Test(arguments: [
        // 8·2 + 1·4 + 2·5 + 5·10 + 1·13 = 93; 93 − 4·23 = 1 → B (python-stdnum's example too)
        "B801200005001",
        // 2·2 + 7·4 + 1·9 + 6·10 + 4·12 + 9·13 = 266; 266 − 11·23 = 13 → P
        "P207000016049",
        // 3·2 + 8·3 + 1·5 + 2·6 + 3·7 + 4·8 + 2·9 + 1·10 + 1·13 = 141; 141 − 6·23 = 3 → D
        "D380123421001",
        // all zeros: 0 → A
        "A000000000000",
        // 7·13 = 91; 91 − 3·23 = 22 → Z, the last letter
        "Z000000000007",
        // 1·12 = 12 → N (the letters skip I, so N is the 13th letter used)
        "N000000000010",
    ])
    func handComputedUPNsAreValid(text: String) throws {
        #expect(try UPN(text).rawValue == text)
        #expect(UPN.checkLetter(forDigits: Array(text.utf8.dropFirst())) == text.utf8.first)
    }

    @Test(arguments: [
        ("A801200005001", UPN.Problem.checkLetter),  // should be B
        ("Q207000016049", .checkLetter),  // a worked example in circulation gets this wrong: it is P
        ("I000000000000", .checkLetter),  // I, O and S are never check letters
        ("B80120000500", .format),  // 12 characters
        ("B8012000050011", .format),  // 14 characters
        ("b801200005001", .format),  // callers upper-case first
        ("1801200005001", .format),  // no leading letter
        ("B8012000X5001", .format),  // letter in the middle
        ("D38012342100A", .temporary),  // temporary UPNs end in a letter
        ("", .format),
    ])
    func invalidUPNs(text: String, problem: UPN.Problem) {
        #expect(throws: problem) { try UPN(text) }
    }

    @Test func checkLetterNeedsTwelveDigits() {
        #expect(UPN.checkLetter(forDigits: Array("80120000500".utf8)) == nil)
        #expect(UPN.checkLetter(forDigits: Array("80120000500X".utf8)) == nil)
    }
}
