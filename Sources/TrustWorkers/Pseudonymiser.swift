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
    public func pseudonym(_ value: String, domain: String) -> String {
        let message = Array("\(domain):\(value)".utf8)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return Self.hex(out.prefix(Int(length)))
    }

    /// Lower-case hex without a `String(format:)` per byte, which profiling showed to be a
    /// fifth of the survey pipeline's CPU.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
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
