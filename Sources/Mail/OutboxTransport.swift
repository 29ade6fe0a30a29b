import Foundation
import TrustDomain

#if canImport(Glibc)
    import Glibc
#endif

/// "Delivers" by writing `<directory>/<message-id>.eml`, for running without a mail server.
///
/// Each file is written to a temporary name, fsynced, then renamed into place (and the
/// directory fsynced), so a reader never sees half a message and a file that exists after a
/// crash is complete. The name comes from the Message-ID, so sending the same message twice
/// leaves one file: the outbox is idempotent like the rest of the system.
public final class OutboxTransport: MailTransport {
    public let directory: URL

    /// Creates the directory (and parents) if needed.
    public init(directory: URL) throws(MailError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .transient("cannot create outbox \(directory.path): \(error.localizedDescription)")
        }
    }

    public func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt {
        let target = fileURL(forMessageID: mail.messageID)
        let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
        do {
            try write(mail.data, to: temporary.path)
            try posix(rename(temporary.path, target.path), "rename into place")
            try syncDirectory()
        } catch {
            unlink(temporary.path)
            throw .transient("outbox \(directory.path), message \(mail.messageID): \(error.message)")
        }
        return DeliveryReceipt(messageID: mail.messageID, recipients: mail.recipients.map(\.address),
                               destination: target.path, replyCode: nil, reply: nil)
    }

    /// Message-ID characters that are unsafe in a file name become `_`; a leading dot is
    /// avoided so no message can look like a hidden or temporary file.
    public func fileURL(forMessageID messageID: String) -> URL {
        var id = Substring(messageID)
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = id.dropFirst().dropLast() }
        var name = String(id.unicodeScalars.prefix(200).map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || "._@+-".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
        if name.isEmpty || name.hasPrefix(".") { name = "_" + name }
        return directory.appendingPathComponent(name + ".eml")
    }

    private func write(_ bytes: [UInt8], to path: String) throws(OutboxIOError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try posix(fd, "create temporary file")
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            try posix(n, "write")
            written += n
        }
        try posix(fsync(fd), "fsync")
    }

    /// Makes the rename itself durable.
    private func syncDirectory() throws(OutboxIOError) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try posix(fd, "open directory")
        defer { close(fd) }
        try posix(fsync(fd), "fsync directory")
    }
}

private struct OutboxIOError: Error {
    let message: String
}

@discardableResult
private func posix<T: BinaryInteger>(_ result: T, _ action: String) throws(OutboxIOError) -> T {
    guard result >= 0 else { throw OutboxIOError(message: "\(action): \(String(cString: strerror(errno)))") }
    return result
}
