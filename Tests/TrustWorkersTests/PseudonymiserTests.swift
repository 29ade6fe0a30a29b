import Testing

@testable import TrustWorkers

@Suite("Pseudonymiser")
struct PseudonymiserTests {
    let pseudonymiser = Pseudonymiser(key: Array(0..<32))

    /// Expected values from Python's `hmac` module (an independent implementation):
    /// `hmac.new(bytes(range(32)), (domain + ":" + value).encode(), hashlib.sha256).hexdigest()`.
    @Test(arguments: [
        ("upn", "B801200005001", "a5a1ace0de92a9ae4a4d4d534a0245945e6e6a543606641cf1c2c6d05ad5608f"),
        ("forms-id", "", "54f4e99ac658f98dc19dbf1cc9c5dab28ca5d1feb0ba79ac807b840c3b2e4db0"),
        ("upn", "Zoë 😀", "609074401bf1e3532551cfbd5fa3f9338f2484856f3e4678f71f7bc2888da2b6"),
    ])
    func matchesAnIndependentHMAC(domain: String, value: String, expected: String) {
        #expect(pseudonymiser.pseudonym(value, domain: domain) == expected)
        #expect(pseudonymiser.context(domain: domain).pseudonym(value) == expected)
    }

    /// A reused context restarts from the keyed state each time: no value leaks into the next.
    @Test func aReusedContextGivesTheSameAnswersAsFreshOnes() {
        let context = pseudonymiser.context(domain: "upn")
        let values = (0..<300).map { "value-\($0 * 7919)" } + ["", "Zoë 😀", "value-0"]
        for value in values {
            #expect(context.pseudonym(value) == pseudonymiser.pseudonym(value, domain: "upn"))
        }
    }

    /// Inserts are ordered by digest; that order must be the order of the stored hex text.
    @Test func digestsOrderAsTheirHexDoes() {
        let context = pseudonymiser.context(domain: "upn")
        let digests = (0..<500).map { context.digest("pupil-\($0)") }
        let byDigest = digests.sorted().map(hex)
        let byText = digests.map(hex).sorted()
        #expect(byDigest == byText)
        #expect(Set(byText).count == 500)
    }

    private func hex(_ digest: PseudonymDigest) -> String {
        var bytes: [UInt8] = []
        digest.appendHex(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func domainsSeparateTheSameValue() {
        #expect(pseudonymiser.pseudonym("123", domain: "upn") != pseudonymiser.pseudonym("123", domain: "forms-id"))
    }
}
