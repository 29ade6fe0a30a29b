import CRabbitMQ
import Foundation

/// The AMQP basic properties the system uses. `messageID` is the idempotency key: every
/// message the system accepts must carry one.
///
/// Every field is a `let` and changes go through the `with` methods: Swift builds such a
/// struct in place, where one with several reference-counted `var` fields is copied at the
/// end of each initialiser, and these properties are decoded once per delivery.
public struct MessageProperties: Sendable, Equatable {
    public let messageID: String?
    public let type: String?
    public let contentType: String?
    public let timestamp: UInt64?
    public let userID: String?
    public let appID: String?
    public let correlationID: String?
    public let persistent: Bool
    public let headers: [String: FieldValue]

    public init(
        messageID: String? = nil, type: String? = nil, contentType: String? = nil,
        timestamp: UInt64? = nil, userID: String? = nil, appID: String? = nil,
        correlationID: String? = nil, persistent: Bool = true, headers: [String: FieldValue] = [:]
    ) {
        self.messageID = messageID
        self.type = type
        self.contentType = contentType
        self.timestamp = timestamp
        self.userID = userID
        self.appID = appID
        self.correlationID = correlationID
        self.persistent = persistent
        self.headers = headers
    }

    /// The same properties under another idempotency key (or none).
    public func with(messageID: String?) -> MessageProperties { replacing(messageID: .some(messageID)) }

    /// The same properties claiming another sender; the broker checks `user_id` against the
    /// connection's user.
    public func with(userID: String?) -> MessageProperties { replacing(userID: .some(userID)) }

    /// The same properties with the headers changed by `edit`.
    public func with(headers edit: (inout [String: FieldValue]) -> Void) -> MessageProperties {
        var changed = headers
        edit(&changed)
        return replacing(headers: changed)
    }

    private func replacing(messageID: String?? = nil, userID: String?? = nil,
                           headers: [String: FieldValue]? = nil) -> MessageProperties {
        MessageProperties(messageID: messageID ?? self.messageID, type: type, contentType: contentType,
                          timestamp: timestamp, userID: userID ?? self.userID, appID: appID,
                          correlationID: correlationID, persistent: persistent, headers: headers ?? self.headers)
    }

    init(_ p: amqp_basic_properties_t) {
        var recent = RecentDeliveryText()
        self.init(p, recent: &recent)
    }

    init(_ p: amqp_basic_properties_t, recent: inout RecentDeliveryText) {
        func has(_ flag: Int32) -> Bool { p._flags & amqp_flags_t(flag) != 0 }
        func text(_ flag: Int32, _ b: amqp_bytes_t) -> String? { has(flag) ? b.string : nil }
        messageID = text(AMQP_BASIC_MESSAGE_ID_FLAG, p.message_id)
        type = has(AMQP_BASIC_TYPE_FLAG) ? recent.type.text(p.type) : nil
        contentType = has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? recent.contentType.text(p.content_type) : nil
        userID = text(AMQP_BASIC_USER_ID_FLAG, p.user_id)
        appID = text(AMQP_BASIC_APP_ID_FLAG, p.app_id)
        correlationID = text(AMQP_BASIC_CORRELATION_ID_FLAG, p.correlation_id)
        timestamp = p._flags & amqp_flags_t(AMQP_BASIC_TIMESTAMP_FLAG) != 0 ? p.timestamp : nil
        persistent = p._flags & amqp_flags_t(AMQP_BASIC_DELIVERY_MODE_FLAG) != 0 && p.delivery_mode == 2
        headers = p._flags & amqp_flags_t(AMQP_BASIC_HEADERS_FLAG) != 0 ? FieldDecoder.table(p.headers) : [:]
    }

    func c(in arena: CArena) -> amqp_basic_properties_t {
        var p = amqp_basic_properties_t()
        var flags: Int32 = AMQP_BASIC_DELIVERY_MODE_FLAG
        p.delivery_mode = persistent ? 2 : 1
        func set(_ value: String?, _ flag: Int32, _ field: inout amqp_bytes_t) {
            guard let value else { return }
            field = arena.bytes(value)
            flags |= flag
        }
        set(messageID, AMQP_BASIC_MESSAGE_ID_FLAG, &p.message_id)
        set(type, AMQP_BASIC_TYPE_FLAG, &p.type)
        set(contentType, AMQP_BASIC_CONTENT_TYPE_FLAG, &p.content_type)
        set(userID, AMQP_BASIC_USER_ID_FLAG, &p.user_id)
        set(appID, AMQP_BASIC_APP_ID_FLAG, &p.app_id)
        set(correlationID, AMQP_BASIC_CORRELATION_ID_FLAG, &p.correlation_id)
        if let timestamp {
            p.timestamp = timestamp
            flags |= AMQP_BASIC_TIMESTAMP_FLAG
        }
        if !headers.isEmpty {
            p.headers = arena.table(headers)
            flags |= AMQP_BASIC_HEADERS_FLAG
        }
        p._flags = amqp_flags_t(flags)
        return p
    }
}

/// The last text seen in one field of a consumer's deliveries, handed out again while the
/// bytes repeat. Exchange, routing key, type and content type are nearly always the same
/// from one delivery to the next; comparing bytes is cheaper than validating and building
/// a `String` for each, four times per message.
struct RepeatedText {
    private var last = ""

    mutating func text(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let base = bytes.bytes else { return "" }
        let incoming = UnsafeRawBufferPointer(start: base, count: bytes.len)
        let same = last.withUTF8 { $0.count == incoming.count && memcmp($0.baseAddress!, base, incoming.count) == 0 }
        if !same { last = String(decoding: incoming, as: UTF8.self) }
        return last
    }
}

/// One `RepeatedText` per field that repeats.
struct RecentDeliveryText {
    var exchange = RepeatedText()
    var routingKey = RepeatedText()
    var type = RepeatedText()
    var contentType = RepeatedText()
}

/// A message to publish: where it goes and what it carries.
public struct OutgoingMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var properties: MessageProperties
    public var body: [UInt8]

    public init(exchange: String, routingKey: String, properties: MessageProperties, body: [UInt8]) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// A message received from a consumer; ack or reject it by `deliveryTag` on the same
/// connection that received it.
///
/// A class, and immutable: its batch, the handler's message and any retry copy share one
/// delivery instead of copying a dozen strings and arrays each.
public final class Delivery: Sendable {
    public let deliveryTag: UInt64
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    public let properties: MessageProperties
    public let body: [UInt8]

    public init(deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String,
                properties: MessageProperties, body: [UInt8]) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }

    /// The same message, ready to publish elsewhere (a retry or dead-letter queue) with its
    /// body and properties intact.
    public func forwarded(exchange: String, routingKey: String) -> OutgoingMessage {
        OutgoingMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: body)
    }
}
