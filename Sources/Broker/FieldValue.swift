import CRabbitMQ
import Foundation

/// An AMQP field-table value: message headers and queue arguments. Only the kinds RabbitMQ
/// itself produces and understands are modelled; others decode as `.void`.
public enum FieldValue: Sendable, Equatable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case double(Double)
    case timestamp(UInt64)
    case bytes([UInt8])
    case array([FieldValue])
    case table([String: FieldValue])
    case void

    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    public var intValue: Int64? {
        switch self {
        case .int(let n): return n
        case .timestamp(let t): return Int64(t)
        case .string(let s): return Int64(s)
        default: return nil
        }
    }
}

/// Owns the C memory behind field tables and strings handed to rabbitmq-c for one call, and
/// frees it all at once afterwards; rabbitmq-c copies what it sends before returning.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for b in blocks { free(b) } }

    func bytes(_ s: String) -> amqp_bytes_t {
        var copy = s
        return copy.withUTF8 { bytes([UInt8]($0)) }
    }

    func bytes(_ data: [UInt8]) -> amqp_bytes_t {
        guard !data.isEmpty, let p = malloc(data.count) else { return amqp_empty_bytes }
        blocks.append(p)
        data.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        return amqp_bytes_t(len: data.count, bytes: p)
    }

    func table(_ dict: [String: FieldValue]) -> amqp_table_t {
        guard !dict.isEmpty else { return amqp_empty_table }
        let entries = allocate(amqp_table_entry_t.self, count: dict.count)
        for (i, key) in dict.keys.sorted().enumerated() {
            entries[i] = amqp_table_entry_t(key: bytes(key), value: value(dict[key]!))
        }
        return amqp_table_t(num_entries: Int32(dict.count), entries: entries)
    }

    private func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let p = malloc(MemoryLayout<T>.stride * max(count, 1))!
        blocks.append(p)
        return p.bindMemory(to: T.self, capacity: count)
    }

    private func value(_ v: FieldValue) -> amqp_field_value_t {
        var f = amqp_field_value_t()
        switch v {
        case .string(let s):
            f.kind = UInt8(ascii: "S")
            f.value.bytes = bytes(s)
        case .bytes(let b):
            f.kind = UInt8(ascii: "x")
            f.value.bytes = bytes(b)
        case .int(let n):
            f.kind = UInt8(ascii: "l")
            f.value.i64 = n
        case .bool(let b):
            f.kind = UInt8(ascii: "t")
            f.value.boolean = b ? 1 : 0
        case .double(let d):
            f.kind = UInt8(ascii: "d")
            f.value.f64 = d
        case .timestamp(let t):
            f.kind = UInt8(ascii: "T")
            f.value.u64 = t
        case .array(let items):
            f.kind = UInt8(ascii: "A")
            let entries = allocate(amqp_field_value_t.self, count: items.count)
            for (i, item) in items.enumerated() { entries[i] = value(item) }
            f.value.array = amqp_array_t(num_entries: Int32(items.count), entries: entries)
        case .table(let t):
            f.kind = UInt8(ascii: "F")
            f.value.table = table(t)
        case .void:
            f.kind = UInt8(ascii: "V")
        }
        return f
    }
}

extension amqp_bytes_t {
    /// Copies the bytes out; rabbitmq-c reuses its buffers after the next call.
    var array: [UInt8] {
        guard len > 0, let p = bytes else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: len))
    }
    var string: String {
        guard len > 0, let p = bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }
}

enum FieldDecoder {
    static func table(_ t: amqp_table_t) -> [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for i in 0..<Int(t.num_entries) {
            let e = t.entries[i]
            out[e.key.string] = value(e.value)
        }
        return out
    }

    static func value(_ f: amqp_field_value_t) -> FieldValue {
        switch f.kind {
        case UInt8(ascii: "S"): return .string(f.value.bytes.string)
        case UInt8(ascii: "x"): return .bytes(f.value.bytes.array)
        case UInt8(ascii: "t"): return .bool(f.value.boolean != 0)
        case UInt8(ascii: "b"): return .int(Int64(f.value.i8))
        case UInt8(ascii: "B"): return .int(Int64(f.value.u8))
        case UInt8(ascii: "s"): return .int(Int64(f.value.i16))
        case UInt8(ascii: "u"): return .int(Int64(f.value.u16))
        case UInt8(ascii: "I"): return .int(Int64(f.value.i32))
        case UInt8(ascii: "i"): return .int(Int64(f.value.u32))
        case UInt8(ascii: "l"): return .int(f.value.i64)
        case UInt8(ascii: "L"): return .int(Int64(bitPattern: f.value.u64))
        case UInt8(ascii: "f"): return .double(Double(f.value.f32))
        case UInt8(ascii: "d"): return .double(f.value.f64)
        case UInt8(ascii: "T"): return .timestamp(f.value.u64)
        case UInt8(ascii: "F"): return .table(table(f.value.table))
        case UInt8(ascii: "A"):
            let a = f.value.array
            return .array((0..<Int(a.num_entries)).map { value(a.entries[$0]) })
        default: return .void
        }
    }
}
