import Testing

@testable import TrustDomain

/// Storage binds the codes as literals; a literal that drifted from the raw value would store
/// a code the file format does not have.
@Suite("Data-drop code literals")
struct DataDropCodeTests {
    @Test func yearCodesMatchRawValues() {
        for year in YearGroup.allCases { #expect("\(year.code)" == year.rawValue) }
    }

    @Test func judgementCodesMatchRawValues() {
        for judgement in Judgement.allCases { #expect("\(judgement.code)" == judgement.rawValue) }
    }

    @Test func genderCodesMatchRawValues() {
        for gender in Gender.allCases { #expect("\(gender.code)" == gender.rawValue) }
    }

    @Test func sendCodesMatchRawValues() {
        for send in SENDStatus.allCases { #expect("\(send.code)" == send.rawValue) }
    }

    /// The spelled-out `init(code:)` switches must accept each raw value in either case, and
    /// among a spread of near misses only what `DropSpellings` documents.
    @Test func codeParsersAgreeWithRawValues() {
        let nearMisses = ["", " ", "0", "7", "Y", "EX", "EXSS", "GDS ", "ſ", "Ｎ", "n1", "blw\u{0}", "Year 7", "Y0"]
        func check<T: RawRepresentable & CaseIterable & Equatable>(_ parse: (String) -> T?, _ type: T.Type,
                                                                   _ spellings: [String: T])
            where T.RawValue == String {
            for value in T.allCases {
                #expect(parse(value.rawValue) == value)
                #expect(parse(value.rawValue.lowercased()) == value)
            }
            for text in nearMisses {
                #expect(parse(text) == T(rawValue: text.uppercased()) ?? spellings[DropSpellings.normalised(text)], "\(text)")
            }
            for (spelling, value) in spellings { #expect(parse(spelling.uppercased()) == value, "\(spelling)") }
        }
        check(YearGroup.init(code:), YearGroup.self, DropSpellings.years)
        check(Judgement.init(code:), Judgement.self, DropSpellings.judgements)
        check(Gender.init(code:), Gender.self, DropSpellings.genders)
        check(SENDStatus.init(code:), SENDStatus.self, DropSpellings.send)
    }
}
