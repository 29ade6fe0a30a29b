import Dispatch
import Foundation
import Synchronization

/// "Please stop": set once by SIGTERM/SIGINT (or a test), read by every consumer loop between
/// batches. Libraries only observe it; only the executable's top level installs the signal
/// handlers, so tests can run workers in-process without signals.
public final class ShutdownSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isRequested: Bool { flag.load(ordering: .acquiring) }
    public func request() { flag.store(true, ordering: .releasing) }

    /// Routes SIGTERM and SIGINT to `request()`. The sources must stay alive, so they are kept
    /// for the life of the process. Call it first thing, before any thread is started.
    ///
    /// The signals are blocked before anything else: a blocked signal stays pending even while
    /// its disposition is "ignore", so a SIGTERM sent in the first instant of start-up waits for
    /// the dispatch source (which reads it through a signalfd, and needs it blocked for that)
    /// instead of vanishing in the moment between ignoring it and the source being ready.
    /// Threads started later inherit the mask.
    public func installSignalHandlers(log: Log) {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                log.info("shutdown requested", ["signal": sig == SIGTERM ? "TERM" : "INT"])
                request()
            }
            source.resume()
            ShutdownSignal.sources.append(source)
        }
        // rabbitmq-c and libcurl write to sockets the peer may have closed; a broken pipe must
        // be an error return, not the death of the process.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Written only from the process's main thread during start-up.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}
