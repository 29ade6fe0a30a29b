import Testing
@testable import WorkerKit

/// The ledger's in-memory index against a plain dictionary, including the cases a hash
/// table gets wrong: colliding hashes, growth, and ids removed again.
@Suite("Ledger index: id → entry")
struct LedgerIndexTests {
    static func entry(_ n: Int) -> Ledger.Entry {
        Ledger.Entry(outcome: n % 3 == 0 ? .processed : n % 3 == 1 ? .retryScheduled : .deadLettered,
                     attempts: Int32(n % 7))
    }

    @Test func agreesWithADictionaryThroughGrowthAndRemovals() {
        var index = LedgerIndex()
        var model: [String: Ledger.Entry] = [:]
        var rng = SystemRandomNumberGenerator()
        for n in 0..<50_000 {
            let id = "m-\(Int.random(in: 0..<30_000, using: &rng))"
            let key = MessageKey(id)
            if n % 10 == 9 {
                #expect(index.updateValue(nil, forKey: key)?.attempts == model.removeValue(forKey: id)?.attempts)
            } else {
                let e = Self.entry(n)
                #expect(index.updateValue(e, forKey: key)?.attempts == model.updateValue(e, forKey: id)?.attempts)
            }
        }
        for n in 0..<30_000 {
            let id = "m-\(n)"
            #expect(index[MessageKey(id)]?.outcome == model[id]?.outcome)
        }
    }

    @Test func idsWhoseHashesCollideStayApart() {
        var index = LedgerIndex()
        let ids = (0..<2_000).map { "same-hash-\($0)" }
        for (n, id) in ids.enumerated() {
            #expect(index.updateValue(Self.entry(n), forKey: MessageKey(id, hash: 42)) == nil)
        }
        for (n, id) in ids.enumerated() {
            #expect(index[MessageKey(id, hash: 42)]?.attempts == Self.entry(n).attempts)
        }
        #expect(index[MessageKey("not-there", hash: 42)] == nil)
        #expect(index.count == ids.count)
    }

    @Test func theHashDependsOnEveryByteAndTheLength() {
        let ids = ["m-1", "m-2", "1-m", "m-1 ", "", "\0", "\0\0", "Ysgol ✓", "Ysgol ✔"]
        #expect(Set(ids.map { MessageKey($0).hash }).count == ids.count)
        #expect(MessageKey("m-1").hash == MessageKey("m-1").hash)
    }
}
