import CZlib

/// Raw DEFLATE (RFC 1951, as zip stores it) through the system zlib, chunk by chunk, so a
/// sheet can be scanned while it is inflated and never held whole. It stops, with an error, as
/// soon as the output passes the entry's size cap or its compression-ratio cap: a zip bomb
/// costs the time to inflate the cap, not the bomb. CRC-32 and the declared size are checked
/// at the end, so a damaged entry is never taken for a short one.
final class Inflater {
    private let name: String
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let stored: Bool
    private var stream = z_stream()
    private var streamOpen = false
    private let expectedSize: Int
    private let expectedCRC: UInt32
    private let cap: Int
    private let capReason: String
    private var produced = 0
    private var crc: UInt = 0
    private var done = false

    init(entry: ZipEntry, in bytes: [UInt8], limits: WorkbookLimits) throws(WorkbookError) {
        name = entry.name
        guard entry.flags & 1 == 0 else { throw .encrypted }
        guard entry.method == 0 || entry.method == 8 else {
            throw WorkbookError("the workbook's part \(entry.name) uses compression method \(entry.method), which "
                + "Excel never writes; save the workbook from Excel again")
        }
        stored = entry.method == 0
        expectedSize = entry.uncompressedSize
        expectedCRC = entry.crc
        // The ratio cap applies past a floor, since tiny parts compress far better than data.
        // Declared sizes are checked first, and the caps again while inflating, since a
        // hostile directory may understate them.
        let ratioCap = max(limits.ratioFloor, entry.compressedSize.multipliedReportingOverflow(by: limits.maxRatio).partialValue)
        let ratioReason = "the workbook's part \(entry.name) expands to more than \(limits.maxRatio) times its compressed "
            + "size, far beyond any spreadsheet (a zip bomb); it is refused"
        guard stored || entry.uncompressedSize <= ratioCap else { throw WorkbookError(ratioReason) }
        guard entry.uncompressedSize <= limits.maxEntryBytes else { throw Self.tooLarge(entry.name, limits) }
        cap = min(limits.maxEntryBytes, ratioCap)
        capReason = cap == limits.maxEntryBytes ? Self.tooLarge(entry.name, limits).reason : ratioReason
        input = .allocate(capacity: max(entry.compressedSize, 1))
        _ = input.initialize(from: bytes[entry.dataOffset..<entry.dataOffset + entry.compressedSize])
        if !stored {
            let status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw .damaged("zlib could not start: \(status)") }
            streamOpen = true
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(entry.compressedSize)
        }
    }

    deinit {
        if streamOpen { inflateEnd(&stream) }
        input.deallocate()
    }

    private static func tooLarge(_ name: String, _ limits: WorkbookLimits) -> WorkbookError {
        WorkbookError("the workbook's part \(name) is larger than \(limits.maxEntryBytes >> 20) MB uncompressed; "
            + "the limit is \(limits.maxEntryBytes >> 20) MB (split the data into smaller files)")
    }

    /// Appends up to `chunk` more bytes to `buffer`; false once the entry is complete.
    func read(into buffer: inout [UInt8], chunk: Int = 1 << 20) throws(WorkbookError) -> Bool {
        guard !done else { return false }
        let start = buffer.count
        if stored {
            let n = min(chunk, expectedSize - produced)
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: input[produced..<produced + n]))
            produced += n
            if produced == expectedSize { try finish(buffer, from: start) }
            else { updateCRC(buffer, from: start) }
            return true
        }
        buffer.reserveCapacity(start + chunk)
        var status: Int32 = Z_OK
        var written = 0
        try buffer.withUnsafeMutableBufferPointerGrowing(by: chunk) { out throws(WorkbookError) in
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(chunk)
            status = inflate(&stream, Z_NO_FLUSH)
            written = chunk - Int(stream.avail_out)
            if status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && written > 0) {
                throw WorkbookError.damaged("the part \(name) does not inflate: zlib error \(status)")
            }
        }
        buffer.removeLast(chunk - written)
        produced += written
        if produced > cap { throw WorkbookError(capReason) }
        if status == Z_STREAM_END {
            try finish(buffer, from: start)
        } else {
            if written == 0 && stream.avail_in == 0 { throw WorkbookError.damaged("the part \(name) ends early") }
            updateCRC(buffer, from: start)
        }
        return true
    }

    /// The whole entry (every part but the sheet, which is scanned as it inflates).
    func readAll() throws(WorkbookError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(expectedSize, cap))
        while try read(into: &out) {}
        return out
    }

    private func updateCRC(_ buffer: [UInt8], from start: Int) {
        buffer.withUnsafeBufferPointer { b in
            crc = CZlib.crc32(crc, b.baseAddress! + start, uInt(b.count - start))
        }
    }

    private func finish(_ buffer: [UInt8], from start: Int) throws(WorkbookError) {
        updateCRC(buffer, from: start)
        done = true
        guard produced == expectedSize else {
            throw .damaged("the part \(name) holds \(produced) bytes, not the \(expectedSize) its directory says")
        }
        guard UInt32(truncatingIfNeeded: crc) == expectedCRC else {
            throw .damaged("the part \(name) fails its CRC-32 check")
        }
    }
}

extension Array where Element == UInt8 {
    /// Grows the array by `count` zeroed bytes and hands the new tail to `body`.
    mutating func withUnsafeMutableBufferPointerGrowing<E: Error>(
        by count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) {
        let start = self.count
        append(contentsOf: repeatElement(0, count: count))
        var failure: E?
        withUnsafeMutableBufferPointer { all in
            do throws(E) { try body(UnsafeMutableBufferPointer(rebasing: all[start...])) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
