import CCrypto
import Foundation

/// Turns identifiers that must never be stored (UPNs, Forms response ids) into keyed
/// HMAC-SHA256 pseudonyms. Keyed, not a plain hash: a UPN has few enough possible values that
/// an unkeyed hash could be reversed by trying them all. The key lives outside the database,
/// so a copy of the database alone identifies no one.
public struct Pseudonymiser: Sendable {
    private let key: [UInt8]

    public init(key: [UInt8]) {
        precondition(key.count >= 32, "pseudonym key must be at least 32 bytes")
        self.key = key
    }

    /// Loads the key file, creating it (32 random bytes, mode 0600, in a 0700 directory) on
    /// first use so the default set-up needs no manual step.
    public static func loadOrCreate(keyFile path: String) throws -> Pseudonymiser {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                       attributes: [.posixPermissions: 0o700])
            }
            var bytes = [UInt8](repeating: 0, count: 32)
            guard RAND_bytes(&bytes, 32) == 1 else { throw PseudonymError("could not generate a random key") }
            // O_EXCL: if another worker created the key meanwhile, use theirs, never overwrite.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                let hex = Array(Self.hex(bytes).utf8)
                let written = write(fd, hex, hex.count)
                fsync(fd)
                close(fd)
                guard written == hex.count else { throw PseudonymError("could not write key file \(path)") }
            } else if errno != EEXIST {
                throw PseudonymError("could not create key file \(path): \(String(cString: strerror(errno)))")
            }
        }
        let attributes = try fm.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw PseudonymError("key file \(path) is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 64, text.count % 2 == 0, let key = Self.hexBytes(text) else {
            throw PseudonymError("key file \(path) does not hold a hex key of at least 32 bytes")
        }
        return Pseudonymiser(key: key)
    }

    /// The pseudonym for `value` within `domain` ("upn", "forms-id"...). The domain keeps the
    /// same string from meaning the same person across unrelated datasets.
    ///
    /// Sets up a MAC for this one value; loops over many values use `context(domain:)`.
    public func pseudonym(_ value: String, domain: String) -> String {
        context(domain: domain).pseudonym(value)
    }

    /// A keyed MAC for many values of one domain, for one thread: set up once (algorithm, key
    /// pads), restarted from the keyed state per value.
    public func context(domain: String) -> PseudonymContext {
        PseudonymContext(key: key, domain: domain)
    }

    /// Lower-case hex, without a `String(format:)` per byte.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigit(b >> 4))
            out.append(hexDigit(b & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lower-case hex digit for 0–15, by arithmetic (no table to look up or initialise).
    @inline(__always) static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble  // 0x57 + 10 = "a"
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let hi = iterator.next(), let lo = iterator.next() {
            guard let h = hexValue(hi), let l = hexValue(lo) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public struct PseudonymError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// One keyed HMAC-SHA256 state (OpenSSL's EVP_MAC), reused for every value of a domain.
/// Not `Sendable`: the OpenSSL context is mutated by each call, so each thread makes its own.
public final class PseudonymContext {
    private let mac: OpaquePointer
    private let context: OpaquePointer
    private let prefix: [UInt8]
    private var buffer = [UInt8](repeating: 0, count: 32)

    init(key: [UInt8], domain: String) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let context = EVP_MAC_CTX_new(mac) else {
            fatalError("OpenSSL has no HMAC: the crypto library is broken")
        }
        self.mac = mac
        self.context = context
        prefix = Array("\(domain):".utf8)
        let ok = Array("digest".utf8CString).withUnsafeBufferPointer { name in
            Array("SHA256".utf8CString).withUnsafeBufferPointer { digestName in
                var params = [
                    OSSL_PARAM_construct_utf8_string(name.baseAddress, UnsafeMutablePointer(mutating: digestName.baseAddress), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_init(context, key, key.count, &params)
            }
        }
        precondition(ok == 1, "OpenSSL refused an HMAC-SHA256 key")
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_free(mac)
    }

    /// Lower-case hex of HMAC(key, "<domain>:<value>"), the same as `Pseudonymiser.pseudonym`.
    public func pseudonym(_ value: String) -> String {
        var hex: [UInt8] = []
        digest(value).appendHex(to: &hex)
        return String(decoding: hex, as: UTF8.self)
    }

    /// The MAC itself, for callers that sort by pseudonym or write its hex into their own
    /// buffer (`PseudonymDigest.appendHex`) without a `String` per value.
    public func digest(_ value: String) -> PseudonymDigest {
        var value = value
        var length = 0
        // A NULL key restarts from the keyed state set up in init.
        let ok = value.withUTF8 { utf8 in
            EVP_MAC_init(context, nil, 0, nil) == 1
                && EVP_MAC_update(context, prefix, prefix.count) == 1
                && EVP_MAC_update(context, utf8.baseAddress, utf8.count) == 1
                && EVP_MAC_final(context, &buffer, &length, buffer.count) == 1
        }
        precondition(ok && length == buffer.count, "OpenSSL HMAC-SHA256 failed")
        return PseudonymDigest(buffer)
    }
}

/// A 32-byte HMAC-SHA256 held inline (no heap allocation), ordered as its hex text is.
public struct PseudonymDigest: Comparable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: [UInt8]) {
        func word(_ at: Int) -> UInt64 { bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        words = (word(0), word(8), word(16), word(24))
    }

    /// Appends the 64 lower-case hex digits to `buffer`.
    public func appendHex(to buffer: inout [UInt8]) {
        func append(_ w: UInt64) {
            var shift: UInt64 = 64
            while shift > 0 {
                shift -= 4
                buffer.append(Pseudonymiser.hexDigit(UInt8(truncatingIfNeeded: w >> shift & 0xF)))
            }
        }
        append(words.0)
        append(words.1)
        append(words.2)
        append(words.3)
    }

    // Big-endian words compare as the bytes do, and so as the hex digits do.
    public static func < (a: Self, b: Self) -> Bool {
        (a.words.0, a.words.1, a.words.2, a.words.3) < (b.words.0, b.words.1, b.words.2, b.words.3)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.words == b.words
    }
}
