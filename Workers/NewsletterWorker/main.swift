// The newsletter worker: stores FAcT items and assembles issues from `newsletter.assemble`,
// and sends each issue's pending deliveries (one per recipient) once they are committed.
import TrustWorkers
import WorkerKit

ServiceMain.run("newsletter-worker", NewsletterService.services)
