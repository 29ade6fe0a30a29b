import Foundation

/// The single-sender lock of one store and kind: an exclusive `flock` on a file beside the
/// database. The kernel drops it when its holder dies, so a crashed sender never blocks its
/// successor. The holder writes its pid into the file, for operators (and tests) asking who
/// sends, and empties it on release.
final class SenderLock {
    let path: String
    private let fd: Int32
    private var held = false

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SenderLockError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// Takes the lock if nobody holds it; never waits.
    func acquire() -> Bool {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        held = true
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pwrite(fd, pid, pid.count, 0) }
        return true
    }

    /// Empties the file while still holding the lock, then lets go; nothing if not held.
    func release() {
        guard held else { return }
        held = false
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
    }
}

struct SenderLockError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot open the sender lock file \(path): \(reason)" }
}
