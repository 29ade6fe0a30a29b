import Testing

@Test func placeholder_WorkerKitTests() { #expect(true) }
