/// Message ids laid end to end in one buffer, each with its hash: a batch's claims, and what
/// the ledger's journal row is written from, with no allocation per id.
struct ClaimIDs {
    private(set) var buffer: [UInt8] = []
    private(set) var ranges: [Range<Int>] = []
    /// `MessageIDs.hash` of each id, in the same order.
    private(set) var hashes: [UInt64] = []

    init(capacity: Int = 0) {
        buffer.reserveCapacity(capacity * 24)
        ranges.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    var count: Int { ranges.count }
    var isEmpty: Bool { ranges.isEmpty }

    mutating func append(_ id: String) {
        MessageIDs.withHashedBytes(of: id) { append($0, hash: $1) }
    }

    mutating func append(_ id: UnsafeRawBufferPointer, hash: UInt64) {
        let start = buffer.count
        buffer.append(contentsOf: id)
        ranges.append(start..<buffer.count)
        hashes.append(hash)
    }

    mutating func removeLast(_ k: Int = 1) {
        guard k > 0 else { return }
        buffer.removeSubrange(ranges[ranges.count - k].lowerBound...)
        ranges.removeLast(k)
        hashes.removeLast(k)
    }

    mutating func removeAll() {
        buffer.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
    }

    /// Whether id `k` is exactly `id`.
    func id(_ k: Int, equals id: UnsafeRawBufferPointer) -> Bool {
        buffer[ranges[k]].elementsEqual(id)
    }

    /// Whether `id` (whose hash is `hash`) is among these, compared byte for byte.
    func holds(_ id: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        hashes.indices.contains { hashes[$0] == hash && self.id($0, equals: id) }
    }
}

/// How the ledger's journal keeps message ids: a JSON array of strings per row, which SQLite's
/// `json_each` can open for the `processed_messages` view and for exact lookups, and a 64-bit
/// hash per id for the in-memory index that spares the hot path a b-tree row per message.
enum MessageIDs {
    /// FNV-1a over the id's bytes, then a 64-bit finaliser (from MurmurHash3) so that ids
    /// differing only in their last characters, like "m-101" and "m-102", spread over all bits.
    /// Never stored: only this process compares these, so the function may change freely.
    static func hash(_ id: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 33)
    }

    /// Runs `body` with `id`'s UTF-8 bytes (valid only inside it) and their hash: how every
    /// claim, record and batch of claims sees an id.
    static func withHashedBytes<T>(of id: String, _ body: (UnsafeRawBufferPointer, UInt64) throws -> T) rethrows -> T {
        var id = id  // `withUTF8` is mutating: it may first make a bridged string native.
        return try id.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            return try body(bytes, hash(bytes))
        }
    }

    /// Writes `ids` as a JSON array of strings into `json` (replacing what it held). Ids come
    /// from AMQP as UTF-8 and may hold any character; quotes, backslashes and control
    /// characters are escaped, everything else is copied as it is.
    static func encode(_ ids: ClaimIDs, into json: inout [UInt8]) {
        json.removeAll(keepingCapacity: true)
        // Ids that need no escape (nearly all) are copied whole: quotes and comma around
        // each, so the plain case is the buffer's size plus three bytes an id.
        json.reserveCapacity(ids.buffer.count + 3 * ids.count + 2)
        json.append(UInt8(ascii: "["))
        ids.buffer.withUnsafeBufferPointer { buffer in
            for (k, range) in ids.ranges.enumerated() {
                if k > 0 { json.append(UInt8(ascii: ",")) }
                json.append(UInt8(ascii: "\""))
                let id = UnsafeBufferPointer(rebasing: buffer[range])
                var plain = true
                for byte in id where needsEscape(byte) { plain = false; break }
                if plain {
                    json.append(contentsOf: id)
                } else {
                    for byte in id { appendEscaped(byte, to: &json) }
                }
                json.append(UInt8(ascii: "\""))
            }
        }
        json.append(UInt8(ascii: "]"))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscaped(_ byte: UInt8, to json: inout [UInt8]) {
        guard needsEscape(byte) else { return json.append(byte) }
        json.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): json.append(byte)
        default:
            let hex = Array("0123456789abcdef".utf8)
            json.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                     hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
        }
    }

    /// A journal row that is not a JSON array of strings: the ledger cannot vouch for what it
    /// lists, so the worker stops rather than risk a second effect.
    struct MalformedJSON: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "ledger journal JSON, byte \(offset): \(reason)" }
    }

    /// Calls `body` with the bytes of each id in a JSON array of strings: as written by
    /// `encode`, or by SQLite's `json_group_array` (migration 3), including `\u` escapes
    /// with surrogate pairs. Ids without escapes are passed straight from `json`.
    static func decode(_ json: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var reader = JSONReader(bytes: json)
        var scratch: [UInt8] = []
        reader.skipSpace()
        try reader.expect(UInt8(ascii: "["))
        reader.skipSpace()
        if reader.peek == UInt8(ascii: "]") { reader.position += 1 } else {
            while true {
                try reader.string(scratch: &scratch, body)
                reader.skipSpace()
                if reader.peek == UInt8(ascii: "]") { reader.position += 1; break }
                try reader.expect(UInt8(ascii: ","))
                reader.skipSpace()
            }
        }
        reader.skipSpace()
        guard reader.position == json.count else { throw reader.error("text after the array") }
    }

    static func decode(_ json: [UInt8]) throws -> [String] {
        var ids: [String] = []
        try json.withUnsafeBytes { bytes in
            try decode(bytes) { ids.append(String(decoding: $0, as: UTF8.self)) }
        }
        return ids
    }
}

/// Just enough of a JSON reader for an array of strings.
private struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func error(_ reason: String) -> MessageIDs.MalformedJSON {
        MessageIDs.MalformedJSON(offset: position, reason: reason)
    }

    mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { position += 1 }
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))', found \(peek.map { "byte \($0)" } ?? "the end")")
        }
        position += 1
    }

    /// Reads one string and passes its bytes to `body`: a slice of the input when it has no
    /// escapes, otherwise the unescaped bytes built in `scratch`.
    mutating func string(scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try expect(UInt8(ascii: "\""))
        let start = position
        while let byte = peek, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error("control character in a string") }
            position += 1
        }
        guard let stop = peek else { throw error("unterminated string") }
        if stop == UInt8(ascii: "\"") {
            position += 1
            return try body(UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1]))
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<position])
        while true {
            guard let byte = peek else { throw error("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try scratch.withUnsafeBytes(body)
            case UInt8(ascii: "\\"):
                try unescape(into: &scratch)
            case ..<0x20:
                position -= 1
                throw error("control character in a string")
            default:
                scratch.append(byte)
            }
        }
    }

    private mutating func unescape(into out: inout [UInt8]) throws {
        guard let byte = peek else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                try expect(UInt8(ascii: "\\"))
                try expect(UInt8(ascii: "u"))
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let character = Unicode.Scalar(scalar) else { throw error("unpaired surrogate") }
            out.append(contentsOf: String(character).utf8)
        default:
            position -= 1
            throw error("unknown escape")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw error("expected four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// A map from id hashes to journal rows, by open addressing. The keys are already uniform
/// 64-bit hashes, so a slot is their low bits; `Dictionary` would hash them again with
/// SipHash, which cost more than the rest of a claim together.
struct HashSlots {
    /// A key beside its value, so a probe that finds its key has the value in the same cache
    /// line: in a table of megabytes, separate arrays cost a second miss per lookup.
    private struct Slot {
        /// 0 marks an empty slot; a hash that is 0 is stored as 1 (a collision the callers
        /// settle exactly anyway).
        var key: UInt64
        var value: Int64
        static let empty = Slot(key: 0, value: 0)
    }
    private var slots: [Slot]
    private(set) var count = 0

    init(minimumCapacity: Int = 8) {
        var n = 16
        while n < minimumCapacity * 2 { n *= 2 }
        slots = Array(repeating: .empty, count: n)
    }

    private static func key(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

    /// The slot holding `key`, or the empty slot where it would go. The table is never
    /// more than half full, so the probe ends; masking keeps it in bounds without checks.
    private static func slot(of key: UInt64, in slots: UnsafeBufferPointer<Slot>) -> Int {
        let mask = slots.count - 1
        var k = Int(truncatingIfNeeded: key) & mask
        while slots[k].key != 0 && slots[k].key != key { k = (k + 1) & mask }
        return k
    }

    subscript(hash: UInt64) -> Int64? {
        let key = Self.key(hash)
        return slots.withUnsafeBufferPointer { s in
            let slot = s[Self.slot(of: key, in: s)]
            return slot.key == key ? slot.value : nil
        }
    }

    /// Sets the value for `hash`; returns whether `hash` was new.
    @discardableResult
    mutating func set(_ hash: UInt64, to value: Int64) -> Bool {
        if (count + 1) * 2 > slots.count && self[hash] == nil { grow() }
        let key = Self.key(hash)
        let isNew = slots.withUnsafeMutableBufferPointer { s in
            let k = Self.slot(of: key, in: UnsafeBufferPointer(s))
            let isNew = s[k].key == 0
            s[k] = Slot(key: key, value: value)
            return isNew
        }
        if isNew { count += 1 }
        return isNew
    }

    /// Empties the table but keeps its size: the pending claims of each transaction.
    mutating func removeAll() {
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: .empty) }
        count = 0
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: old.count * 2)
        slots.withUnsafeMutableBufferPointer { s in
            for slot in old where slot.key != 0 { s[Self.slot(of: slot.key, in: UnsafeBufferPointer(s))] = slot }
        }
    }
}
