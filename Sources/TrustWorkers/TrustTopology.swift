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

extension Settings {
    /// The trust's topology, or with `TRUST_TOPOLOGY_PREFIX` the private copy of it.
    public var topology: Topology { topologyPrefix.map { Topology.trust.prefixed($0) } ?? .trust }
}
