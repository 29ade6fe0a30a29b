/// A message id with a hash of its bytes, computed once when the message arrives.
struct MessageKey {
    let text: String
    let hash: UInt64

    init(_ text: String) {
        var text = text
        self.hash = text.withUTF8 { Self.hash($0) }
        self.text = text
    }

    /// For tests that need ids whose hashes collide.
    init(_ text: String, hash: UInt64) {
        self.text = text
        self.hash = hash
    }

    /// Per process, so ids cannot be chosen in advance to pile into one probe run.
    private static let seed = UInt64.random(in: .min ... .max)

    /// FNV-1a over the bytes, seeded, with a final avalanche so the low bits the table masks
    /// with depend on every byte.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        for byte in bytes {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}

/// The ledger's in-memory index: message id → latest entry, for every id in the log.
///
/// A `Dictionary<String, Entry>` did the same job at several times the cost: Swift hashes a
/// key with a fresh SipHash state on every lookup and again for every element each time the
/// table grows, which profiling put at half a microsecond per message, as much as the
/// B-tree insert this index replaced. Here each id is hashed once (`MessageKey`), growth
/// reuses the stored hashes, and a probe compares 64-bit hashes before any text.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full.
/// Removing an id (a claim rolled back with its savepoint) leaves its slot with no entry.
struct LedgerIndex {
    /// Index into the arrays below, or -1 for an empty bucket.
    private var buckets = [Int32](repeating: -1, count: 1024)
    private var hashes: [UInt64] = []
    private var texts: [String] = []
    private var entries: [Ledger.Entry?] = []

    var count: Int { entries.count }

    private func find(_ key: MessageKey) -> (bucket: Int, index: Int?) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: key.hash) & mask
        while true {
            let index = Int(buckets[bucket])
            if index < 0 { return (bucket, nil) }
            if hashes[index] == key.hash && texts[index] == key.text { return (bucket, index) }
            bucket = (bucket + 1) & mask
        }
    }

    subscript(key: MessageKey) -> Ledger.Entry? {
        get { find(key).index.flatMap { entries[$0] } }
        set { updateValue(newValue, forKey: key) }
    }

    /// Sets the entry for `key` (nil removes it) and returns the one it replaced.
    @discardableResult
    mutating func updateValue(_ value: Ledger.Entry?, forKey key: MessageKey) -> Ledger.Entry? {
        let (bucket, found) = find(key)
        if let found {
            defer { entries[found] = value }
            return entries[found]
        }
        guard let value else { return nil }
        buckets[bucket] = Int32(entries.count)
        hashes.append(key.hash)
        texts.append(key.text)
        entries.append(value)
        if entries.count * 2 > buckets.count { grow() }
        return nil
    }

    private mutating func grow() {
        buckets = [Int32](repeating: -1, count: buckets.count * 2)
        let mask = buckets.count - 1
        for (index, hash) in hashes.enumerated() {
            var bucket = Int(truncatingIfNeeded: hash) & mask
            while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
            buckets[bucket] = Int32(index)
        }
    }
}
