import Testing

@Test func trustWorkersPlaceholder() { #expect(Bool(true)) }
