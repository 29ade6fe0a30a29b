import CAMQPShim
import CRabbitMQ
import Foundation

/// One AMQP connection with one channel, owned by one thread.
///
/// rabbitmq-c is not thread-safe, so a `Connection` must only ever be used from the thread that
/// made it; it is `@unchecked Sendable` only so that it can be handed to that thread. Every
/// call blocks: keep them off the Swift concurrency pool.
public final class Connection: @unchecked Sendable {
    public let endpoint: BrokerEndpoint
    let state: amqp_connection_state_t
    let channel: amqp_channel_t = 1
    private var channelOpen = false
    private var closed = false
    private var confirmMode = false
    private var nextPublishSeq: UInt64 = 1
    /// Published but not yet acked by the broker: sequence number → message id.
    private var unconfirmed: [UInt64: String] = [:]
    private var nacked: [String] = []
    private var returned: [String] = []
    private var framesSinceRelease = 0
    /// The texts that repeat from delivery to delivery on a consumer.
    private var recentText = RecentDeliveryText()

    /// Connects, logs in and opens the channel. `name` shows in the management UI, which is
    /// how an operator tells workers apart at night.
    public init(endpoint: BrokerEndpoint, name: String) throws(BrokerError) {
        self.endpoint = endpoint
        guard let state = amqp_new_connection() else { throw .connect("out of memory") }
        self.state = state
        do {
            try open(name: name)
        } catch {
            amqp_destroy_connection(state)
            closed = true
            throw error
        }
    }

    deinit { close() }

    /// Connects to the first reachable node of a cluster, in the order given; the error of the
    /// last attempt is thrown when none answers.
    public static func first(of endpoints: [BrokerEndpoint], name: String) throws(BrokerError) -> Connection {
        var last = BrokerError.configuration("no broker address given")
        for endpoint in endpoints {
            do {
                return try Connection(endpoint: endpoint, name: name)
            } catch {
                last = error
            }
        }
        throw last
    }

    private func open(name: String) throws(BrokerError) {
        let socket: OpaquePointer?
        if endpoint.tls {
            socket = amqp_ssl_socket_new(state)
            guard let socket else { throw .connect("cannot create TLS socket") }
            amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST)
            amqp_ssl_socket_set_verify_peer(socket, endpoint.verifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, endpoint.verifyPeer ? 1 : 0)
            if let ca = endpoint.caFile, amqp_ssl_socket_set_cacert(socket, ca) != 0 {
                throw .connect("cannot read CA file \(ca)")
            }
            if let cert = endpoint.certFile, let key = endpoint.keyFile,
                amqp_ssl_socket_set_key(socket, cert, key) != 0
            {
                throw .connect("cannot read client certificate \(cert) or key \(key)")
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else { throw .connect("cannot create socket") }
        var tv = timeval(seconds: endpoint.connectTimeout)
        let rc = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &tv)
        guard rc == AMQP_STATUS_OK.rawValue else {
            throw .connect("\(endpoint): \(Self.explain(rc, endpoint: endpoint))")
        }
        let login = trust_amqp_login_plain_named(
            state, endpoint.vhost, 0, 131072, Int32(endpoint.heartbeat), endpoint.user,
            endpoint.password, name)
        try check(login, "login to \(endpoint) as \(endpoint.user)", connectError: true)
        try openChannel()
    }

    /// rabbitmq-c's TLS errors are terse; say what to check.
    static func explain(_ rc: Int32, endpoint: BrokerEndpoint) -> String {
        let text = String(cString: amqp_error_string2(rc))
        switch rc {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            return "\(text): the broker's certificate is not signed by a CA in \(endpoint.caFile ?? "the system trust store") (set cacertfile= in TRUST_AMQP_URL)"
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return "\(text): the broker's certificate is not for host \(endpoint.host)"
        case AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
            return "\(text): TLS handshake failed (is port \(endpoint.port) a TLS listener, and does it offer TLS 1.2 or later?)"
        default:
            return text
        }
    }

    private func openChannel() throws(BrokerError) {
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "channel.open")
        channelOpen = true
        if confirmMode {
            amqp_confirm_select(state, channel)
            try check(amqp_get_rpc_reply(state), "confirm.select")
        }
    }

    /// Closes politely; safe to call twice and after the connection was lost. Any later call
    /// throws `connectionLost` rather than reaching the freed rabbitmq-c state: a reconnect
    /// loop that failed to replace its connection must get an error to retry on, not a crash.
    public func close() {
        guard !closed else { return }
        closed = true
        defer { channelOpen = false }
        if channelOpen { amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS) }
        amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
    }

    /// The raw socket, so a caller can poll it alongside other work.
    public var socketDescriptor: Int32 { closed ? -1 : amqp_get_sockfd(state) }

    // MARK: - Errors

    /// Turns an RPC reply into a Swift error. A server-side channel close is acknowledged and
    /// the channel reopened lazily, so one refused request (a passive declare of a missing
    /// queue, say) does not cost the whole connection.
    func check(_ reply: amqp_rpc_reply_t, _ context: @autoclosure () -> String,
               connectError: Bool = false) throws(BrokerError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_NONE:
            throw .connectionLost("\(context()): no reply")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let text = String(cString: amqp_error_string2(reply.library_error))
            if connectError { throw .connect("\(context()): \(text)") }
            throw .connectionLost("\(context()): \(text)")
        default:
            throw serverError(method: reply.reply, context: context())
        }
    }

    private func serverError(method: amqp_method_t, context: String) -> BrokerError {
        switch method.id {
        case 0x0014_0028:  // channel.close
            let m = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            var ok = amqp_channel_close_ok_t()
            amqp_send_method(state, channel, 0x0014_0029, &ok)
            channelOpen = false
            unconfirmed.removeAll()
            return .server(code: Int(m.reply_code), text: m.reply_text.string, context: context,
                           connectionClosed: false)
        case 0x000A_0032:  // connection.close
            let m = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            var ok = amqp_connection_close_ok_t()
            amqp_send_method(state, 0, 0x000A_0033, &ok)
            channelOpen = false
            return .server(code: Int(m.reply_code), text: m.reply_text.string, context: context,
                           connectionClosed: true)
        default:
            return .connectionLost("\(context): unexpected method 0x\(String(method.id, radix: 16))")
        }
    }

    private func ensureOpen() throws(BrokerError) {
        if closed { throw .connectionLost("connection to \(endpoint.host):\(endpoint.port) already closed") }
    }

    private func ensureChannel() throws(BrokerError) {
        try ensureOpen()
        if !channelOpen { try openChannel() }
    }

    // MARK: - Topology

    public func declareExchange(_ name: String, type: String, durable: Bool = true) throws(BrokerError) {
        try ensureChannel()
        let arena = CArena()
        amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 0,
                              durable ? 1 : 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "declare exchange \(name)")
    }

    /// Declares a queue (or, with `passive`, only checks it exists) and returns its counts as
    /// the broker sees them now.
    @discardableResult
    public func declareQueue(_ name: String, durable: Bool = true, passive: Bool = false,
                             exclusive: Bool = false, autoDelete: Bool = false,
                             arguments: [String: FieldValue] = [:]) throws(BrokerError) -> QueueCounts {
        try ensureChannel()
        let arena = CArena()
        let ok = amqp_queue_declare(state, channel, arena.bytes(name), passive ? 1 : 0,
                                    durable ? 1 : 0, exclusive ? 1 : 0, autoDelete ? 1 : 0,
                                    arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "\(passive ? "check" : "declare") queue \(name)")
        guard let ok else { throw .connectionLost("declare queue \(name): empty reply") }
        return QueueCounts(messages: Int(ok.pointee.message_count), consumers: Int(ok.pointee.consumer_count))
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(BrokerError) {
        try ensureChannel()
        let arena = CArena()
        amqp_queue_bind(state, channel, arena.bytes(queue), arena.bytes(exchange),
                        arena.bytes(routingKey), amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "bind \(queue) to \(exchange) \(routingKey)")
    }

    @discardableResult
    public func purgeQueue(_ name: String) throws(BrokerError) -> Int {
        try ensureChannel()
        let arena = CArena()
        let ok = amqp_queue_purge(state, channel, arena.bytes(name))
        try check(amqp_get_rpc_reply(state), "purge \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    public func deleteQueue(_ name: String) throws(BrokerError) {
        try ensureChannel()
        let arena = CArena()
        amqp_queue_delete(state, channel, arena.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), "delete \(name)")
    }

    public func deleteExchange(_ name: String) throws(BrokerError) {
        try ensureChannel()
        let arena = CArena()
        amqp_exchange_delete(state, channel, arena.bytes(name), 0)
        try check(amqp_get_rpc_reply(state), "delete exchange \(name)")
    }

    // MARK: - Publishing

    /// Turns on publisher confirms for this channel; from then on `waitForConfirms` tells
    /// whether the broker has taken responsibility for every message published.
    public func enableConfirms() throws(BrokerError) {
        try ensureChannel()
        guard !confirmMode else { return }
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        confirmMode = true
        nextPublishSeq = 1
    }

    /// Sends one message. With confirms on, the message is only safe once `waitForConfirms`
    /// returns; `mandatory` makes an unroutable message come back as an error instead of
    /// vanishing silently.
    public func publish(_ message: OutgoingMessage, mandatory: Bool = true) throws(BrokerError) {
        try ensureChannel()
        let arena = CArena()
        var props = message.properties.c(in: arena)
        let rc = message.body.withUnsafeBytes { raw in
            amqp_basic_publish(state, channel, arena.bytes(message.exchange),
                               arena.bytes(message.routingKey), mandatory ? 1 : 0, 0, &props,
                               amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress)))
        }
        guard rc == AMQP_STATUS_OK.rawValue else {
            throw .connectionLost("publish to \(message.exchange) \(message.routingKey): \(String(cString: amqp_error_string2(rc)))")
        }
        if confirmMode {
            unconfirmed[nextPublishSeq] = message.properties.messageID ?? "seq-\(nextPublishSeq)"
            nextPublishSeq += 1
        }
    }

    /// How many published messages the broker has not yet confirmed.
    public var unconfirmedCount: Int { unconfirmed.count }

    /// Reads broker acks until every published message is confirmed. rabbitmq-c 0.11 has no
    /// helper for this, so the `basic.ack`/`basic.nack` frames are read here, honouring their
    /// `multiple` flag; messages nacked or returned as unroutable are reported by id.
    public func waitForConfirms(timeout: Double = 30) throws(BrokerError) {
        try ensureOpen()
        let deadline = Date().addingTimeInterval(timeout)
        while !unconfirmed.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw .confirmTimeout(outstanding: unconfirmed.count) }
            guard let frame = try nextFrame(timeout: remaining) else { continue }
            try handleAsync(frame, expectingDelivery: false)
        }
        try releaseBuffers()
        if !nacked.isEmpty || !returned.isEmpty {
            let ids = nacked + returned
            let reason = returned.isEmpty ? "nacked" : (nacked.isEmpty ? "unroutable" : "nacked or unroutable")
            nacked.removeAll()
            returned.removeAll()
            throw .notConfirmed(messageIDs: ids, reason: reason)
        }
    }

    /// Publishes many messages with confirms, keeping at most `window` unconfirmed so memory
    /// stays flat and the broker's flow control is respected.
    public func publishConfirmed(_ messages: some Sequence<OutgoingMessage>, window: Int = 500,
                                 mandatory: Bool = true, timeout: Double = 30) throws(BrokerError) {
        try enableConfirms()
        for message in messages {
            try publish(message, mandatory: mandatory)
            if unconfirmed.count >= window { try waitForConfirms(timeout: timeout) }
        }
        try waitForConfirms(timeout: timeout)
    }

    // MARK: - Consuming

    public func setPrefetch(_ count: Int) throws(BrokerError) {
        try ensureChannel()
        amqp_basic_qos(state, channel, 0, UInt16(clamping: count), 0)
        try check(amqp_get_rpc_reply(state), "basic.qos \(count)")
    }

    /// Starts a consumer with manual acknowledgements and returns its tag.
    @discardableResult
    public func consume(_ queue: String, tag: String = "") throws(BrokerError) -> String {
        try ensureChannel()
        let arena = CArena()
        let ok = amqp_basic_consume(state, channel, arena.bytes(queue), arena.bytes(tag), 0, 0, 0,
                                    amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "consume \(queue)")
        return ok?.pointee.consumer_tag.string ?? tag
    }

    public func cancel(_ consumerTag: String) throws(BrokerError) {
        try ensureOpen()
        let arena = CArena()
        amqp_basic_cancel(state, channel, arena.bytes(consumerTag))
        try check(amqp_get_rpc_reply(state), "cancel \(consumerTag)")
    }

    /// Waits up to `timeout` seconds for the next delivery; nil when none arrived. Heartbeats
    /// are answered inside this call, so an idle consumer should call it in a loop.
    public func nextDelivery(timeout: Double) throws(BrokerError) -> Delivery? {
        try ensureOpen()
        // The clock is read only when this call may wait: a delivery already in the buffer
        // (most of a batch) is returned without one.
        var started = isBuffered ? nil : DispatchTime.now().uptimeNanoseconds
        var wait = timeout
        while true {
            try releaseBuffers()
            guard let frame = try nextFrame(timeout: wait) else { return nil }
            if frame.frame_type == UInt8(AMQP_FRAME_METHOD) && frame.payload.method.id == Self.basicDeliver {
                return try readDelivery(frame)
            }
            // Something other than a delivery (a confirm, a cancel, a close): act on it.
            try handleAsync(frame, expectingDelivery: true)
            let now = DispatchTime.now().uptimeNanoseconds
            let begun = started ?? now
            started = begun
            wait = timeout - Double(now &- begun) / 1e9
            if wait <= 0 { return nil }
        }
    }

    private static let basicDeliver: amqp_method_number_t = 0x003C_003C

    /// Reads the header and body frames that follow a `basic.deliver` straight into the
    /// `Delivery`, without `amqp_consume_message`'s intermediate copies (fresh allocations for
    /// each field and a cleared 4 KB pool per message). Each frame's decoded fields point into
    /// memory that the next frame may reuse, so each is turned into Swift values before the
    /// next frame is read.
    private func readDelivery(_ frame: amqp_frame_t) throws(BrokerError) -> Delivery {
        let deliver = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
        let channel = frame.channel
        let tag = deliver.delivery_tag, redelivered = deliver.redelivered != 0
        let exchange = recentText.exchange.text(deliver.exchange)
        let routingKey = recentText.routingKey.text(deliver.routing_key)
        let header = try contentFrame(on: channel, type: AMQP_FRAME_HEADER)
        let properties = MessageProperties(
            header.payload.properties.decoded.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee,
            recent: &recentText)
        let size = Int(header.payload.properties.body_size)
        var body = [UInt8]()
        body.reserveCapacity(size)
        while body.count < size {
            let fragment = try contentFrame(on: channel, type: AMQP_FRAME_BODY).payload.body_fragment
            guard fragment.len > 0, let bytes = fragment.bytes else { continue }
            body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
        }
        guard body.count == size else {
            throw .connectionLost("consume: message body of \(body.count) bytes where the header announced \(size)")
        }
        return Delivery(deliveryTag: tag, redelivered: redelivered, exchange: exchange, routingKey: routingKey,
                        properties: properties, body: body)
    }

    /// The next frame of a message's content, which the broker sends right after its method.
    /// Anything else there is a protocol error or a close, which ends this connection.
    private func contentFrame(on channel: amqp_channel_t, type: Int32) throws(BrokerError) -> amqp_frame_t {
        guard let frame = try nextFrame(timeout: Self.contentTimeout) else {
            channelOpen = false
            throw .connectionLost("consume: no message content within \(Int(Self.contentTimeout)) s of its delivery")
        }
        guard frame.frame_type == UInt8(type), frame.channel == channel else {
            try handleAsync(frame, expectingDelivery: true)  // throws for a channel or connection close
            channelOpen = false
            throw .connectionLost("consume: frame type \(frame.frame_type) on channel \(frame.channel) inside a message's content")
        }
        return frame
    }

    /// How long the header and body frames of a started delivery may take: they follow its
    /// method at once, so only a dead connection takes this long.
    private static let contentTimeout: Double = 60

    /// Whether a frame is already read or buffered, so the next consume will not wait.
    private var isBuffered: Bool { amqp_data_in_buffer(state) != 0 || amqp_frames_enqueued(state) != 0 }

    /// Takes what has already arrived (up to `max`), waiting at most `wait` seconds for the
    /// first message and `linger` for each further one: the batching primitive.
    public func nextDeliveries(max: Int, wait: Double, linger: Double) throws(BrokerError) -> [Delivery] {
        guard let first = try nextDelivery(timeout: wait) else { return [] }
        var batch = [first]
        batch.reserveCapacity(max)
        while batch.count < max {
            guard let next = try nextDelivery(timeout: isBuffered ? 0.05 : linger) else { break }
            batch.append(next)
        }
        return batch
    }

    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws(BrokerError) {
        try ensureOpen()
        let rc = amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0)
        guard rc == AMQP_STATUS_OK.rawValue else {
            throw .connectionLost("ack: \(String(cString: amqp_error_string2(rc)))")
        }
    }

    /// Rejects a delivery; with `requeue` false the queue's dead-letter settings apply.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws(BrokerError) {
        try ensureOpen()
        let rc = amqp_basic_nack(state, channel, deliveryTag, 0, requeue ? 1 : 0)
        guard rc == AMQP_STATUS_OK.rawValue else {
            throw .connectionLost("nack: \(String(cString: amqp_error_string2(rc)))")
        }
    }

    /// Fetches one message without a consumer (for operator tools that list a queue).
    public func get(_ queue: String) throws(BrokerError) -> Delivery? {
        try ensureChannel()
        let arena = CArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), 0)
        try check(reply, "get \(queue)")
        guard reply.reply.id == 0x003C_0047 else { return nil }  // basic.get-ok, else get-empty
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let tag = ok.delivery_tag, redelivered = ok.redelivered != 0
        let exchange = ok.exchange.string, key = ok.routing_key.string
        var message = amqp_message_t()
        try check(amqp_read_message(state, channel, &message, 0), "read \(queue)")
        defer { amqp_destroy_message(&message) }
        return Delivery(deliveryTag: tag, redelivered: redelivered, exchange: exchange, routingKey: key,
                        properties: MessageProperties(message.properties), body: message.body.array)
    }

    /// Answers heartbeats and reads pending confirms on a connection that is otherwise idle
    /// (a publisher between bursts), so the broker does not drop it.
    public func service() throws(BrokerError) {
        while let frame = try nextFrame(timeout: 0) {
            try handleAsync(frame, expectingDelivery: false)
        }
    }

    // MARK: - Frames

    private func nextFrame(timeout: Double) throws(BrokerError) -> amqp_frame_t? {
        try ensureOpen()
        var frame = amqp_frame_t()
        let rc: Int32
        if isBuffered {
            // Nothing to wait for, so no deadline: given one, rabbitmq-c reads the clock on
            // every frame.
            rc = amqp_simple_wait_frame(state, &frame)
        } else {
            var tv = timeval(seconds: timeout)
            rc = amqp_simple_wait_frame_noblock(state, &frame, &tv)
        }
        if rc == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard rc == AMQP_STATUS_OK.rawValue else {
            channelOpen = false
            throw .connectionLost(String(cString: amqp_error_string2(rc)))
        }
        return frame
    }

    private func handleAsync(_ frame: amqp_frame_t, expectingDelivery: Bool) throws(BrokerError) {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        let method = frame.payload.method
        switch method.id {
        case 0x003C_0050:  // basic.ack
            let m = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            settle(upTo: m.delivery_tag, multiple: m.multiple != 0, nack: false)
        case 0x003C_0078:  // basic.nack
            let m = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            settle(upTo: m.delivery_tag, multiple: m.multiple != 0, nack: true)
        case 0x003C_0032:  // basic.return: the returned message's frames follow
            var message = amqp_message_t()
            try check(amqp_read_message(state, frame.channel, &message, 0), "read returned message")
            returned.append(MessageProperties(message.properties).messageID ?? "?")
            amqp_destroy_message(&message)
        case 0x003C_001E:  // basic.cancel from the server
            let m = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            throw .consumerCancelled(m.consumer_tag.string)
        case 0x0014_0028, 0x000A_0032:  // channel.close, connection.close
            throw serverError(method: method, context: expectingDelivery ? "consume" : "publish")
        default:
            break  // connection.blocked/unblocked and the like need no action here
        }
    }

    private func settle(upTo tag: UInt64, multiple: Bool, nack: Bool) {
        let tags = multiple ? unconfirmed.keys.filter { $0 <= tag } : [tag]
        for t in tags {
            if let id = unconfirmed.removeValue(forKey: t), nack { nacked.append(id) }
        }
    }

    private func releaseBuffers() throws(BrokerError) {
        framesSinceRelease += 1
        if framesSinceRelease >= 64 {
            framesSinceRelease = 0
            amqp_maybe_release_buffers(state)
        }
    }
}

/// Message and consumer counts of a queue at the moment it was declared.
public struct QueueCounts: Sendable, Equatable {
    public var messages: Int
    public var consumers: Int
}

extension timeval {
    init(seconds: Double) {
        let s = max(0, seconds)
        self.init(tv_sec: Int(s), tv_usec: Int((s - Double(Int(s))) * 1_000_000))
    }
}
