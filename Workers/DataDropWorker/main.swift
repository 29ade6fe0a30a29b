// The data-drop worker: validates, stores (pseudonymised) and aggregates academies' files
// from `datadrop.ingest`, and produces the Board report when a drop is complete.
import TrustWorkers
import WorkerKit

WorkerMain.run(name: "datadrop-worker", queue: "datadrop.ingest") { settings in
    try DataDropHandler(settings: settings)
}
