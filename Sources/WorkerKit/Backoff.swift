/// Capped exponential backoff with "equal jitter": delay n is uniform in [c/2, c], where
/// c = min(cap, base·2ⁿ). The jitter keeps a fleet of workers that lost the broker together
/// from reconnecting in lock-step; the floor of c/2 keeps a retry loop from spinning.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 0.2, cap: Double = 10) {
        self.base = base
        self.cap = cap
    }

    /// The upper bound for attempt `n` (0-based), before jitter.
    public func ceiling(attempt n: Int) -> Double {
        min(cap, base * Double(1 << min(max(n, 0), 30)))
    }

    public func delay(attempt n: Int, using rng: inout some RandomNumberGenerator) -> Double {
        let c = ceiling(attempt: n)
        return Double.random(in: (c / 2)...c, using: &rng)
    }

    public func delay(attempt n: Int) -> Double {
        var rng = SystemRandomNumberGenerator()
        return delay(attempt: n, using: &rng)
    }
}
