/// The demo data's own random numbers. SplitMix64 (Steele, Lea and Flood, 2014) is a few lines
/// of integer arithmetic, so a seed gives the same bytes on every machine and every Swift
/// release; the standard library's generators and `shuffle` make no such promise.
///
/// Deliberately not a `RandomNumberGenerator`: that would invite `shuffled(using:)` and
/// `Int.random(in:using:)`, whose algorithms the standard library may change.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator for one named part of the data (an academy, a year), so adding an academy
    /// or a pupil elsewhere does not reshuffle everything else.
    init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        var mixer = SplitMix64(seed: seed ^ hash)
        state = mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<bound (multiply-high; the bias is below 2⁻⁵⁰ for any bound used here).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Approximately standard normal: the Irwin–Hall sum of four uniforms, rescaled. Plain
    /// arithmetic, no `log` or `cos`, so results cannot drift with the C library; its tails
    /// stop at ±3.5, which suits marks that are clamped anyway.
    mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.732_050_807_568_877_2
    }

    /// Fisher–Yates, written out so the order depends only on this generator.
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(index, below(index + 1))
        }
    }
}
