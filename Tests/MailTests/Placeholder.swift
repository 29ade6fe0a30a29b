import Testing

@Test func mailPlaceholder() { #expect(Bool(true)) }
