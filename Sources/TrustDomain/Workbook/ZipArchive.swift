/// Caps on what reading a workbook may cost. The file itself is already capped by the CSV
/// limit of its destination; these bound what it may expand to, so a hostile zip is refused
/// in bounded time and memory.
public struct WorkbookLimits: Equatable, Sendable {
    /// Parts in the zip: a workbook has about a dozen, one with many sheets a few hundred.
    public var maxEntries: Int
    /// Uncompressed bytes of any one part that is read.
    public var maxEntryBytes: Int
    /// Uncompressed over compressed size, past `ratioFloor` bytes. Spreadsheet XML compresses
    /// 5–30 times; deflate's own ceiling is about 1,032.
    public var maxRatio: Int
    public var ratioFloor: Int

    public init(maxEntries: Int = 1_000, maxEntryBytes: Int = 200 << 20, maxRatio: Int = 100,
                ratioFloor: Int = 1 << 20) {
        self.maxEntries = maxEntries
        self.maxEntryBytes = maxEntryBytes
        self.maxRatio = maxRatio
        self.ratioFloor = ratioFloor
    }

    /// For a destination that takes CSV files up to `csv.maxBytes`: parts may be ten times that
    /// (sheet XML is about four times the CSV of the same rows), at least 16 MB.
    public init(for csv: CSVLimits) {
        self.init(maxEntryBytes: max(16 << 20, csv.maxBytes.multipliedReportingOverflow(by: 10).partialValue))
    }
}

/// One file in the zip's central directory.
struct ZipEntry: Sendable {
    let name: String
    let flags: UInt16
    let method: UInt16
    let crc: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    /// Where the entry's compressed bytes start, past its local header.
    let dataOffset: Int
}

/// The central directory of a zip held in memory (APPNOTE 6.3: end of central directory,
/// zip64 end record, central headers, local headers). Only what a workbook needs: no
/// multi-disk archives, stored and deflated entries. Every offset and size read from the file
/// is checked against the file before use, so a truncated or crafted zip is a clear error.
struct ZipArchive {
    let bytes: [UInt8]
    /// By lower-cased name without a leading slash: OPC part names are case-insensitive.
    private(set) var entries: [String: ZipEntry] = [:]

    init(_ bytes: [UInt8], limits: WorkbookLimits) throws(WorkbookError) {
        self.bytes = bytes
        let end = try Self.endOfCentralDirectory(bytes)
        var count = Int(bytes.u16(end + 10))
        var directorySize = Int(bytes.u32(end + 12))
        var directoryOffset = Int(bytes.u32(end + 16))
        guard bytes.u16(end + 4) == 0, bytes.u16(end + 6) == 0 else {
            throw .damaged("it is one part of a multi-volume zip")
        }
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF {
            // Zip64: the real figures are in the zip64 end record its locator points to.
            let locator = end - 20
            guard locator >= 0, bytes.u32(locator) == 0x0706_4B50 else { throw .damaged("its zip64 locator is missing") }
            let record = bytes.u64(locator + 8)
            guard record < UInt64(locator), bytes.u32(Int(record)) == 0x0606_4B50 else {
                throw .damaged("its zip64 end record is missing")
            }
            let at = Int(record)
            guard at + 56 <= bytes.count else { throw .damaged("its zip64 end record is cut short") }
            count = Self.clamp(bytes.u64(at + 32))
            directorySize = Self.clamp(bytes.u64(at + 40))
            directoryOffset = Self.clamp(bytes.u64(at + 48))
        }
        guard count <= limits.maxEntries else {
            throw WorkbookError("the zip holds \(count) parts; a workbook has a few dozen and the limit is "
                + "\(limits.maxEntries), so it is refused")
        }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else {
            throw .damaged("its directory lies outside the file")
        }
        var at = directoryOffset
        for _ in 0..<count {
            let entry = try Self.centralHeader(bytes, at: &at, directoryEnd: directoryOffset + directorySize)
            let key = Self.key(entry.name)
            guard entries[key] == nil else { throw .damaged("the part \(entry.name) appears twice") }
            entries[key] = entry
        }
    }

    static func key(_ name: String) -> String {
        String(name.drop { $0 == "/" }).lowercased()
    }

    func entry(_ name: String) -> ZipEntry? { entries[Self.key(name)] }

    private static func clamp(_ value: UInt64) -> Int { value > UInt64(Int32.max) ? Int(Int32.max) : Int(value) }

    /// The end record is the last 22 bytes plus a comment of up to 65,535 bytes; scan back.
    private static func endOfCentralDirectory(_ bytes: [UInt8]) throws(WorkbookError) -> Int {
        guard bytes.count >= 22 else { throw .damaged("it is too short to be a zip") }
        var at = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while at >= lowest {
            if bytes[at] == 0x50, bytes.u32(at) == 0x0605_4B50,
               at + 22 + Int(bytes.u16(at + 20)) == bytes.count {
                return at
            }
            at -= 1
        }
        throw .damaged("the zip directory at its end is missing, as when a download stops part-way")
    }

    private static func centralHeader(_ bytes: [UInt8], at: inout Int, directoryEnd: Int)
        throws(WorkbookError) -> ZipEntry
    {
        guard at + 46 <= directoryEnd, bytes.u32(at) == 0x0201_4B50 else {
            throw .damaged("its directory is cut short")
        }
        let flags = bytes.u16(at + 8), method = bytes.u16(at + 10)
        let crc = bytes.u32(at + 16)
        var compressed = Int(bytes.u32(at + 20)), uncompressed = Int(bytes.u32(at + 24))
        let nameLength = Int(bytes.u16(at + 28)), extraLength = Int(bytes.u16(at + 30))
        let commentLength = Int(bytes.u16(at + 32))
        var local = Int(bytes.u32(at + 42))
        let next = at + 46 + nameLength + extraLength + commentLength
        guard next <= directoryEnd else { throw .damaged("its directory is cut short") }
        let name = String(decoding: bytes[at + 46..<at + 46 + nameLength], as: UTF8.self)
        // Zip64 sizes: the fields that read 0xFFFFFFFF follow, in order, in extra field 0x0001.
        var extra = at + 46 + nameLength
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let id = bytes.u16(extra), size = Int(bytes.u16(extra + 2))
            if id == 1 {
                var field = extra + 4
                func widen(_ value: inout Int) {
                    guard value == 0xFFFF_FFFF, field + 8 <= extra + 4 + size else { return }
                    value = clamp(bytes.u64(field))
                    field += 8
                }
                widen(&uncompressed)
                widen(&compressed)
                widen(&local)
            }
            extra += 4 + size
        }
        at = next
        guard local + 30 <= bytes.count, bytes.u32(local) == 0x0403_4B50 else {
            throw .damaged("the part \(name) is missing from the file")
        }
        let data = local + 30 + Int(bytes.u16(local + 26)) + Int(bytes.u16(local + 28))
        guard data <= bytes.count, compressed <= bytes.count - data else {
            throw .damaged("the part \(name) is cut short")
        }
        return ZipEntry(name: name, flags: flags, method: method, crc: crc, compressedSize: compressed,
                        uncompressedSize: uncompressed, dataOffset: data)
    }
}

extension Array where Element == UInt8 {
    /// Little-endian integers at an offset the caller has checked (or zero past the end).
    func u16(_ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= count else { return 0 }
        return UInt16(self[at]) | UInt16(self[at + 1]) << 8
    }

    func u32(_ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= count else { return 0 }
        return UInt32(u16(at)) | UInt32(u16(at + 2)) << 16
    }

    func u64(_ at: Int) -> UInt64 {
        guard at >= 0, at + 8 <= count else { return 0 }
        return UInt64(u32(at)) | UInt64(u32(at + 4)) << 32
    }
}
