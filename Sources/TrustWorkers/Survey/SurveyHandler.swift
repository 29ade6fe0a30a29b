import Foundation
import Store
import TrustDomain
import WorkerKit

/// Consumes `survey.process`: a Microsoft Forms export in, anonymous responses, a refreshed
/// "you said" and a `survey.processed.<survey-id>` event out.
///
/// A rejected export throws `HandlerError.permanent` with every problem on one line; the
/// runtime dead-letters it and announces that on `trust.events` (`deadletter.survey.process`,
/// carrying the routing key `survey.<id>` and the reason). There is deliberately no separate
/// `survey.rejected` event: an event emitted by a handler that then throws is rolled back with
/// the rest of its effects, and not throwing would keep the file out of the dead-letter queue,
/// from which `trustctl dead replay` can resend it once the config or file is fixed.
public final class SurveyHandler: MessageHandler {
    let library: SurveyLibrary
    let academies: AcademyCatalog
    let pseudonymiser: Pseudonymiser

    public init(library: SurveyLibrary, academies: AcademyCatalog, pseudonymiser: Pseudonymiser) {
        self.library = library
        self.academies = academies
        self.pseudonymiser = pseudonymiser
    }

    /// The handler as the survey worker runs it: config from `TRUST_CONFIG`, the pseudonym key
    /// from `TRUST_PSEUDONYM_KEY_FILE`.
    public convenience init(_ settings: Settings) throws {
        let config = try TrustConfig(directory: settings.configDirectory)
        self.init(library: SurveyLibrary(configDirectory: settings.configDirectory), academies: config.academies,
                  pseudonymiser: try Pseudonymiser.loadOrCreate(keyFile: settings.pseudonymKeyFile))
    }

    public var migrations: [Migration] { TrustSchema.all }

    public func handle(_ message: InboundMessage, context: HandlerContext) throws {
        guard let surveyID = SurveySubmission.surveyID(routingKey: message.routingKey) else {
            throw HandlerError.permanent("routing key \"\(message.routingKey)\" is not survey.<survey-id>")
        }
        if let type = message.type, type != SurveySubmission.type {
            throw HandlerError.permanent("message type \"\(type)\" is not \(SurveySubmission.type)")
        }
        let survey: SurveyDefinition
        let export: FormsExport
        do {
            survey = try library.definition(surveyID)
            export = try FormsExport.read(message.body, survey: survey, academies: academies,
                                          sheet: message.headers[DropFileHeaders.sheet]?.stringValue)
        } catch let error as SurveyImportError {
            throw HandlerError.permanent(error.oneLine())
        } catch {
            throw HandlerError.permanent("Config/surveys: \(error)")
        }
        let outcome = try SurveyStore.add(export, pseudonymiser: pseudonymiser, messageID: message.messageID,
                                          now: context.now, in: context.db)
        let report = try SurveyStore.report(survey, academies: academies, in: context.db)
        try SurveyStore.saveYouSaid(YouSaid.summarise(report), now: context.now, in: context.db)
        let event: [String: Any] = [
            "survey": surveyID, "message_id": message.messageID, "rows": export.responses.count,
            "added": outcome.added, "already_stored": outcome.alreadyStored, "responses": outcome.total,
            "processed_at": SurveyStore.timestamp(context.now), "format": export.format.code,
        ]
        try context.emit(routingKey: "survey.processed.\(surveyID)", type: "survey.processed",
                         json: Array(try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])),
                         messageID: "survey-processed:\(message.messageID)")
        context.log.info("survey export processed", ["survey": surveyID, "rows": export.responses.count,
                                                     "added": outcome.added, "already_stored": outcome.alreadyStored,
                                                     "format": export.format.code])
    }
}
