import Testing

@Test func placeholder_BrokerTests() { #expect(true) }
