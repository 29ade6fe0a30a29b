import Broker
import WorkerKit

extension Topology {
    /// The trust's exchanges and work queues (the contract's topology): what `trustctl setup`
    /// and every worker declare.
    public static let trust = Topology(queues: [
        WorkQueue(name: "datadrop.ingest", bindings: ["datadrop.*"]),
        WorkQueue(name: "survey.process", bindings: ["survey.*"]),
        WorkQueue(name: "newsletter.assemble", bindings: ["newsletter.*"]),
        WorkQueue(name: "reminder.notify", bindings: ["reminder.*", "calendar.*"]),
    ])
}

extension Topology {
    /// `.trust` without a prefix; with one, a private copy of it (every exchange and queue name
    /// prefixed) with short retry delays, for tests and benchmarks beside a live system.
    public static func trust(prefix: String?) -> Topology {
        guard let prefix, !prefix.isEmpty else { return .trust }
        var topology = Topology.trust.prefixed(prefix)
        topology.retryDelays = [200, 1_000]
        return topology
    }
}

extension Settings {
    /// The trust's topology, or with `TRUST_TOPOLOGY_PREFIX` the private copy of it.
    public var topology: Topology { Topology.trust(prefix: topologyPrefix) }
}
