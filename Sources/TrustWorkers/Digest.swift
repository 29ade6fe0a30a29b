import CCrypto

/// SHA-256 of content, for message ids derived from what is sent: the same file submitted
/// twice is the same message, so the second has no effect.
public enum Digest {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        bytes.withUnsafeBufferPointer { b in
            _ = EVP_Digest(b.baseAddress, b.count, &out, &length, EVP_sha256(), nil)
        }
        return Pseudonymiser.hex(out.prefix(Int(length)))
    }
}
