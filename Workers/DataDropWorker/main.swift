// The data-drop worker: validates, stores (pseudonymised) and aggregates academies' files
// from `datadrop.ingest`, acts on the drop calendar, produces the Board report, and sends
// receipts, refusals, reminders, chasers and the report by e-mail.
import TrustWorkers
import WorkerKit

ServiceMain.run("datadrop-worker", DataDropService.services)
