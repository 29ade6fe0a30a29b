// The data-drop worker: validates, stores (pseudonymised) and aggregates academies' files
// from `datadrop.ingest`, and produces the Board report when a drop is complete.
import TrustWorkers
import WorkerKit

ServiceMain.run("datadrop-worker") { settings, shutdown, log in
    // A batch can hold many academies' files; 32 MiB of page cache keeps a batch of thirty
    // 4,000-pupil files from spilling to the log before its commit.
    let options = settings.workerOptions(name: "datadrop-worker", queue: "datadrop.ingest",
                                         topology: settings.topology, cacheKiB: 32 * 1024)
    return [Worker(options: options, settings: settings, log: log, shutdown: shutdown) {
        try DataDropHandler(settings: settings)
    }]
}
