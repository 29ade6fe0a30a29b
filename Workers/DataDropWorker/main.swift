// The data-drop worker: validates, stores (pseudonymised) and aggregates academies' files
// from `datadrop.ingest`, and produces the Board report when a drop is complete.
import TrustWorkers
import WorkerKit

// A batch can hold many academies' files; 32 MiB of page cache keeps a batch of thirty
// 4,000-pupil files from spilling to the log before its commit.
WorkerMain.run(name: "datadrop-worker", queue: "datadrop.ingest", cacheKiB: 32 * 1024) { settings in
    try DataDropHandler(settings: settings)
}
