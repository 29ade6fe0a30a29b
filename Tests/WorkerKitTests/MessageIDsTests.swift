import Foundation
import Store
import Testing
@testable import WorkerKit

/// The journal's id lists and the index's hash table: pure pieces that the ledger's "never a
/// second effect" rests on, so each is checked against an independent reference.
@Suite("Ledger journal: id lists and hash slots")
struct MessageIDsTests {
    static func claims(_ ids: [String]) -> ClaimIDs {
        var claims = ClaimIDs(capacity: ids.count)
        for id in ids { claims.append(id) }
        return claims
    }

    static func encode(_ ids: [String]) -> [UInt8] {
        var json: [UInt8] = [0x41]  // whatever the buffer held before is replaced
        MessageIDs.encode(claims(ids), into: &json)
        return json
    }

    static let awkward = ["", "m-1", "quote \" and \\ backslash", "tab\tnew\nline\r", "\u{0}\u{1}\u{1f}\u{7f}",
                          "é", "日本語", "emoji 🎉", "/slash/", String(repeating: "long-", count: 300)]

    @Test func encodedListsAreJSONThatFoundationAndSQLiteRead() throws {
        let json = Self.encode(Self.awkward)
        let parsed = try JSONSerialization.jsonObject(with: Data(json)) as? [String]
        #expect(parsed == Self.awkward)
        // SQLite's json_each, which the view and the exact lookup use, reads the same ids.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        defer { db.close() }
        let text = SQLValue.text(String(decoding: json, as: UTF8.self))
        #expect(try db.scalar("SELECT count(*) FROM json_each(?)", [text])?.int64Value == Int64(Self.awkward.count))
        // SQLite 3.40's json_each cuts a value at a NUL, so the ledger reads lists itself;
        // every other id must read back exactly, as the view shows them.
        for (k, id) in Self.awkward.enumerated() where !id.contains("\u{0}") {
            #expect(try db.scalar("SELECT value = ?3 FROM json_each(?1) WHERE key = ?2", [text, .int(k), .text(id)])?
                .int64Value == 1, "\(id)")
        }
        #expect(Self.encode([]) == Array("[]".utf8))
        #expect(Self.encode(["a", "b"]) == Array(#"["a","b"]"#.utf8))
    }

    @Test func decodingRoundTripsAndReadsOtherWritersEscapes() throws {
        #expect(try MessageIDs.decode(Self.encode(Self.awkward)) == Self.awkward)
        // What SQLite's json_group_array or another writer may produce: spaces, `\/`, short
        // escapes, `\u` escapes and a surrogate pair.
        let other = #" [ "a\/b" , "\b\f\n\r\t", "\u00e9\u65E5", "\ud83c\udf89", "" ] "#
        #expect(try MessageIDs.decode(Array(other.utf8)) == ["a/b", "\u{8}\u{c}\n\r\t", "é日", "🎉", ""])
        #expect(try MessageIDs.decode(Array("[]".utf8)) == [])
    }

    @Test(arguments: [
        (#"["a""#, 4, "expected ','"), (#"["a"#, 3, "unterminated"), (#"["a",]"#, 5, "expected '\"'"), (#"{"a":1}"#, 0, "expected '['"),
        (#"["a"] x"#, 6, "text after"), (#"["\x"]"#, 3, "unknown escape"), (#"["\ud83c"]"#, 8, "expected '\\'"),
        (#"["\ud83c\u0041"]"#, 14, "unpaired"), (#"["\u12"]"#, 6, "hex digits"), ("[\"a\u{1}\"]", 3, "control"),
        (#"[1]"#, 1, "expected '\"'"),
    ])
    func malformedListsAreRefusedWithWhereAndWhy(json: String, offset: Int, reason: String) {
        do {
            _ = try MessageIDs.decode(Array(json.utf8))
            Issue.record("accepted \(json)")
        } catch let error as MessageIDs.MalformedJSON {
            #expect(error.offset == offset, "\(json)")
            #expect(error.description.contains(reason), "\(json): \(error)")
        } catch {
            Issue.record("\(json): \(error)")
        }
    }

    @Test func hashesDependOnEveryByteAndSpreadNeighbouringIds() {
        #expect(MessageIDs.hash("m-101") != MessageIDs.hash("m-102"))
        #expect(MessageIDs.hash("") != MessageIDs.hash("\u{0}"))
        #expect(MessageIDs.hash("é") == MessageIDs.hash("e\u{301}".precomposedStringWithCanonicalMapping))
        // Sequential ids must not crowd a few slots: the low 12 bits of 4,096 of them cover
        // most of the 4,096 possible values, as uniform hashes would (about 63 %).
        let slots = Set((0..<4096).map { MessageIDs.hash("m-\($0)") & 0xfff })
        #expect(slots.count > 2400)
    }

    @Test func claimIdsKeepBytesHashesAndOrder() {
        var claims = Self.claims(["a", "bb", "a"])
        #expect(claims.count == 3)
        #expect(claims.hashes == ["a", "bb", "a"].map(MessageIDs.hash))
        "bb".utf8CString.dropLast().withUnsafeBytes { bytes in
            #expect(claims.holds(bytes, hash: MessageIDs.hash("bb")))
            #expect(!claims.holds(bytes, hash: MessageIDs.hash("a")))
            #expect(claims.id(1, equals: bytes))
            #expect(!claims.id(0, equals: bytes))
        }
        claims.removeLast(0)
        #expect(claims.count == 3)
        claims.removeLast(2)
        #expect(claims.count == 1 && claims.buffer == [UInt8(ascii: "a")] && claims.hashes == [MessageIDs.hash("a")])
        claims.append("cc")
        #expect(claims.buffer == Array("acc".utf8) && claims.ranges == [0..<1, 1..<3])
        claims.removeAll()
        #expect(claims.isEmpty && claims.buffer.isEmpty)
    }

    @Test func hashSlotsAgreeWithADictionaryThroughGrowth() {
        var slots = HashSlots()
        var reference: [UInt64: Int64] = [:]
        var generator = SystemRandomNumberGenerator()
        // Random keys, some repeated, plus 0 (stored as 1) and 1 themselves.
        var keys = (0..<5000).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
        keys += keys.prefix(500) + [0, 1, 0]
        for (n, key) in keys.enumerated() {
            let isNew = slots.set(key, to: Int64(n))
            #expect(isNew == (reference[key == 0 ? 1 : key] == nil))
            reference[key == 0 ? 1 : key] = Int64(n)
        }
        #expect(slots.count == reference.count)
        for (key, value) in reference { #expect(slots[key] == value) }
        #expect(slots[0] == reference[1])
        for _ in 0..<1000 {
            let key = UInt64.random(in: 2...UInt64.max, using: &generator)
            #expect(slots[key] == reference[key])
        }
        slots.removeAll()
        #expect(slots.count == 0)
        #expect(keys.allSatisfy { slots[$0] == nil })
        #expect(slots.set(keys[0], to: 7) && slots[keys[0]] == 7)
    }
}

extension MessageIDs {
    static func hash(_ id: String) -> UInt64 {
        withHashedBytes(of: id) { $1 }
    }
}
