// The reminder worker: consumes `reminder.notify` (`reminder.due`, `calendar.update`) and sends
// the e-mails those messages queue, each with its calendar invitation, once committed.
import TrustWorkers
import WorkerKit

ServiceMain.run("reminder-worker", ReminderService.services)
