import Testing
import WorkerKit

@Suite("Backoff: capped, exponential, equal jitter")
struct BackoffTests {
    @Test func everyDelayLiesBetweenHalfTheCeilingAndTheCeiling() {
        let backoff = Backoff(base: 0.5, cap: 30)
        for attempt in 0..<40 {
            let ceiling = min(30, 0.5 * Double(1 << min(attempt, 30)))
            #expect(backoff.ceiling(attempt: attempt) == ceiling)
            for _ in 0..<50 {
                let d = backoff.delay(attempt: attempt)
                #expect(d >= ceiling / 2 && d <= ceiling, "attempt \(attempt): \(d)")
            }
        }
    }

    @Test func theDelaysAreSpreadNotFixed() {
        let delays = Set((0..<100).map { _ in Backoff(base: 1, cap: 60).delay(attempt: 3) })
        #expect(delays.count > 50)
    }
}
