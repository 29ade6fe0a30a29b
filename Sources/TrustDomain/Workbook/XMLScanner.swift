import Foundation

/// A pull scanner over the XML of one workbook part, fed as the part inflates: tags, text and
/// nothing more. Elements are matched by local name (the prefix is ignored), which is all
/// SpreadsheetML needs and lets transitional and strict workbooks read alike.
///
/// Why a byte scanner and not `XMLParser`: FoundationXML's `Data` initialiser fails on large
/// inputs on Linux, and a scanner over bytes is many times faster. Why it refuses `<!DOCTYPE`
/// outright: a document type is the only way to declare entities (the "billion laughs" and
/// external-entity attacks), and no workbook application writes one. Only the five predefined
/// entities and character references are decoded; any other `&name;` is an error.
struct XMLScanner {
    enum Token: Equatable {
        case start(name: Range<Int>, attributes: Range<Int>, selfClosing: Bool)
        case end(name: Range<Int>)
        case text(Range<Int>)
        /// CDATA content: taken literally, never entity-decoded.
        case literal(Range<Int>)
    }

    let part: String
    /// Ranges in tokens index this buffer and are valid until the next call to `next()`.
    private(set) var buffer: [UInt8]
    private var position = 0
    private let source: Inflater?

    init(part: String, bytes: [UInt8]) {
        self.part = part
        buffer = bytes
        source = nil
    }

    init(part: String, source: Inflater) {
        self.part = part
        buffer = []
        self.source = source
    }

    /// The next token, or nil at the end of the part.
    mutating func next() throws(WorkbookError) -> Token? {
        while true {
            if let token = try scan() { return token }
            // The buffer ends inside a token (or is used up): read more, or stop.
            if let source {
                if position > 0 {
                    buffer.removeSubrange(0..<position)
                    position = 0
                }
                if try source.read(into: &buffer) { continue }
            }
            guard position >= buffer.count || isWhitespace(position..<buffer.count) else {
                throw .xml(part, "it ends part-way through")
            }
            position = buffer.count
            return nil
        }
    }

    /// One complete token from the buffer, or nil (position unchanged) when it is incomplete.
    private mutating func scan() throws(WorkbookError) -> Token? {
        let count = buffer.count
        // Declarations, processing instructions and comments are skipped; a resume point
        // after each is as good as before it, so the loop never needs to back up.
        while position < count {
            if buffer[position] != XMLByte.lt {
                guard let lt = find(XMLByte.lt, from: position) else { return longText() }
                defer { position = lt }
                return .text(position..<lt)
            }
            guard position + 1 < count else { return nil }
            let start = position
            switch buffer[start + 1] {
            case XMLByte.slash:
                guard let gt = find(XMLByte.gt, from: start + 2) else { return nil }
                position = gt + 1
                return .end(name: trimmed(start + 2..<gt))
            case XMLByte.question:
                guard let close = find([XMLByte.question, XMLByte.gt], from: start + 2) else { return nil }
                position = close + 2
            case XMLByte.bang:
                if hasPrefix("<!--", at: start) {
                    guard let close = find(Array("-->".utf8), from: start + 4) else { return nil }
                    position = close + 3
                } else if hasPrefix("<![CDATA[", at: start) {
                    guard let close = find(Array("]]>".utf8), from: start + 9) else { return nil }
                    position = close + 3
                    return .literal(start + 9..<close)
                } else if count - start < 9 && source != nil {
                    return nil  // too few bytes yet to tell a comment or CDATA from a declaration
                } else {
                    throw .xml(part, "it has a DOCTYPE or other declaration, which can define entities; "
                        + "workbooks never have one, so it is refused")
                }
            default:
                // The closing '>' outside quoted attribute values.
                var at = start + 1
                var quote: UInt8 = 0
                while at < count {
                    let byte = buffer[at]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == XMLByte.gt {
                        break
                    } else if byte == XMLByte.quote || byte == XMLByte.apostrophe {
                        quote = byte
                    }
                    at += 1
                }
                guard at < count else { return nil }
                position = at + 1
                let selfClosing = buffer[at - 1] == XMLByte.slash
                let inner = start + 1..<(selfClosing ? at - 1 : at)
                var nameEnd = inner.lowerBound
                while nameEnd < inner.upperBound, !Self.isSpace(buffer[nameEnd]) { nameEnd += 1 }
                return .start(name: inner.lowerBound..<nameEnd, attributes: nameEnd..<inner.upperBound,
                              selfClosing: selfClosing)
            }
        }
        return nil
    }

    /// Text running past the end of what has been inflated. A long run is handed over in
    /// pieces (consumers join text tokens), so that a part of nothing but spaces cannot grow
    /// the buffer; a piece ends after an ASCII byte and before any unfinished `&…;`, so no
    /// character or reference is cut in two.
    private mutating func longText() -> Token? {
        guard source != nil, buffer.count - position > 1 << 16 else { return nil }
        var end = buffer.count
        while end > position, buffer[end - 1] >= 0x80 || buffer[end - 1] == XMLByte.amp { end -= 1 }
        if let amp = buffer[position..<end].lastIndex(of: XMLByte.amp),
           !buffer[amp..<end].contains(XMLByte.semicolon) {
            end = amp
        }
        guard end > position else { return nil }
        defer { position = end }
        return .text(position..<end)
    }

    // MARK: names, attributes and text

    /// Whether a name range's local part (after any prefix) is `local`.
    func isNamed(_ name: Range<Int>, _ local: StaticString) -> Bool {
        var from = name.lowerBound
        if let colon = buffer[name].lastIndex(of: XMLByte.colon) { from = colon + 1 }
        let length = local.utf8CodeUnitCount
        guard name.upperBound - from == length else { return false }
        return local.withUTF8Buffer { want in
            for i in 0..<length where buffer[from + i] != want[i] { return false }
            return true
        }
    }

    /// The raw value range of the attribute whose local name is `local`.
    func attribute(_ local: StaticString, in range: Range<Int>) -> Range<Int>? {
        var at = range.lowerBound
        while at < range.upperBound {
            while at < range.upperBound, Self.isSpace(buffer[at]) { at += 1 }
            let nameStart = at
            while at < range.upperBound, buffer[at] != XMLByte.equals, !Self.isSpace(buffer[at]) { at += 1 }
            let name = nameStart..<at
            while at < range.upperBound, buffer[at] != XMLByte.quote, buffer[at] != XMLByte.apostrophe { at += 1 }
            guard at < range.upperBound else { return nil }
            let quote = buffer[at]
            let valueStart = at + 1
            at = valueStart
            while at < range.upperBound, buffer[at] != quote { at += 1 }
            if !name.isEmpty, isNamed(name, local) { return valueStart..<min(at, range.upperBound) }
            at += 1
        }
        return nil
    }

    /// An attribute's value, decoded.
    func attributeValue(_ local: StaticString, in range: Range<Int>) throws(WorkbookError) -> String? {
        guard let value = attribute(local, in: range) else { return nil }
        return try decode(value)
    }

    /// Text with entity and character references decoded.
    func decode(_ range: Range<Int>) throws(WorkbookError) -> String {
        guard buffer[range].contains(XMLByte.amp) else { return string(range) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var at = range.lowerBound
        while at < range.upperBound {
            let byte = buffer[at]
            guard byte == XMLByte.amp else {
                out.append(byte)
                at += 1
                continue
            }
            guard let semicolon = buffer[at..<range.upperBound].firstIndex(of: XMLByte.semicolon), semicolon - at <= 12 else {
                throw .xml(part, "an '&' that does not start an entity reference")
            }
            let name = String(decoding: buffer[at + 1..<semicolon], as: UTF8.self)
            switch name {
            case "lt": out.append(XMLByte.lt)
            case "gt": out.append(XMLByte.gt)
            case "amp": out.append(XMLByte.amp)
            case "quot": out.append(XMLByte.quote)
            case "apos": out.append(XMLByte.apostrophe)
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                guard name.hasPrefix("#"), let code = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                      let scalar = Unicode.Scalar(code), code != 0
                else {
                    throw .xml(part, "the entity reference &\(name.prefix(20)); is not one of XML's five; "
                        + "entities are refused")
                }
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
            at = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    func string(_ range: Range<Int>) -> String {
        buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    func isWhitespace(_ range: Range<Int>) -> Bool { buffer[range].allSatisfy(Self.isSpace) }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, Self.isSpace(buffer[lower]) { lower += 1 }
        while upper > lower, Self.isSpace(buffer[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private func hasPrefix(_ text: StaticString, at offset: Int) -> Bool {
        text.withUTF8Buffer { want in
            guard offset + want.count <= buffer.count else { return false }
            for i in 0..<want.count where buffer[offset + i] != want[i] { return false }
            return true
        }
    }

    private func find(_ byte: UInt8, from: Int) -> Int? {
        buffer.withUnsafeBufferPointer { b -> Int? in
            guard from < b.count else { return nil }
            // memchr is far faster than an element loop over long text.
            guard let hit = memchr(b.baseAddress! + from, Int32(byte), b.count - from) else { return nil }
            return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - b.baseAddress!
        }
    }

    private func find(_ bytes: [UInt8], from: Int) -> Int? {
        var at = from
        while let hit = find(bytes[0], from: at) {
            guard hit + bytes.count <= buffer.count else { return nil }
            if buffer[hit..<hit + bytes.count].elementsEqual(bytes) { return hit }
            at = hit + 1
        }
        return nil
    }
}

enum XMLByte {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let amp: UInt8 = 0x26
    static let apostrophe: UInt8 = 0x27
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lt: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let gt: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let bang: UInt8 = 0x21
}
