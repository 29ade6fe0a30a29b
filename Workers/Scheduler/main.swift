// The Scheduler: publishes forum reminders and the three-weekly FAcT assemble message when
// they fall due, and checks the alert rules, every TRUST_SCHEDULER_INTERVAL seconds until
// SIGTERM; sends the operators' alert e-mails.
//
//   Scheduler [--once]   --once: a single pass at the settings' clock (demos step a calendar so)
import TrustWorkers
import WorkerKit

ServiceMain.run("scheduler") { settings, shutdown, log in
    let args = try Arguments(Array(CommandLine.arguments.dropFirst()), flagNames: ["once"])
    try args.allowOnly(["once"])
    return [try SchedulerLoop(settings: settings, once: args.flag("once"), log: log, shutdown: shutdown),
            try AlertService.delivery(settings: settings, log: log.child("alerts"), shutdown: shutdown)]
}
