import Testing

@Test func placeholder_TrustDomainTests() { #expect(true) }
