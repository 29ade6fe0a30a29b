// The survey worker: Microsoft Forms exports from `survey.process` into anonymous results.
import TrustWorkers
import WorkerKit

WorkerMain.run(name: "survey-worker", queue: "survey.process") { settings in try SurveyHandler(settings) }
