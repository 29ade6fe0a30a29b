// The survey worker: Microsoft Forms exports from `survey.process` into anonymous results.
import TrustWorkers
import WorkerKit

ServiceMain.run("survey-worker") { settings, shutdown, log in
    let options = settings.workerOptions(name: "survey-worker", queue: "survey.process", topology: settings.topology)
    return [Worker(options: options, settings: settings, log: log, shutdown: shutdown) { try SurveyHandler(settings) }]
}
