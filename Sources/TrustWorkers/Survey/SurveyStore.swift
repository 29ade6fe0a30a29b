import Foundation
import Store
import TrustDomain

/// Survey responses in the trust database (tables in `Schema+Survey.swift`).
public enum SurveyStore {
    /// What storing an export did.
    public struct Outcome: Sendable, Equatable {
        /// Responses not seen before.
        public let added: Int
        /// Responses already stored from an earlier, overlapping export; left as they were.
        public let alreadyStored: Int
        /// Responses to the survey stored in all.
        public let total: Int

        public init(added: Int, alreadyStored: Int, total: Int) {
            self.added = added
            self.alreadyStored = alreadyStored
            self.total = total
        }
    }

    /// The pseudonym domain for a survey's response IDs. Per survey, because Forms numbers every
    /// form's responses from 1: response 7 of two different surveys is two different people.
    public static func pseudonymDomain(_ surveyID: String) -> String { "forms:\(surveyID)" }

    /// Stores the export's new responses. A response whose keyed ID is already stored is
    /// skipped, so re-importing an export adds nothing and a later export that repeats earlier
    /// rows adds only the new ones. Call inside a transaction: the handler's savepoint makes
    /// the whole export one unit.
    public static func add(_ export: FormsExport, pseudonymiser: Pseudonymiser, messageID: String, now: Date,
                           in db: Database) throws -> Outcome {
        let insertResponse = try db.prepare("""
            INSERT INTO survey_responses (survey_id, response_key, academy, message_id, imported_at)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT (survey_id, response_key) DO NOTHING
            """)
        let insertAnswer = try db.prepare("""
            INSERT INTO survey_answers (response_id, question_id, ordinal, likert, choice, comment)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        let survey = SQLValue.text(export.surveyID)
        let domain = pseudonymDomain(export.surveyID)
        let stamp = SQLValue.text(Self.timestamp(now))
        var added = 0
        for response in export.responses {
            let key = pseudonymiser.pseudonym(response.formsID, domain: domain)
            guard try insertResponse.run([survey, .text(key), .text(response.record.academy.rawValue),
                                          .text(messageID), stamp]) == 1 else { continue }
            added += 1
            let id = SQLValue.integer(db.lastInsertRowID)
            for answer in response.record.answers {
                let question = SQLValue.text(answer.question)
                switch answer.value {
                case .likert(let value):
                    try insertAnswer.run([id, question, .int(0), .int(value), .null, .null])
                case .choice(let option):
                    try insertAnswer.run([id, question, .int(0), .null, .text(option), .null])
                case .choices(let options):
                    for (ordinal, option) in options.enumerated() {
                        try insertAnswer.run([id, question, .int(ordinal), .null, .text(option), .null])
                    }
                case .text(let comment):
                    try insertAnswer.run([id, question, .int(0), .null, .null, .text(comment)])
                }
            }
        }
        let total = try db.scalar("SELECT count(*) FROM survey_responses WHERE survey_id = ?", [survey])?.int64Value ?? 0
        return Outcome(added: added, alreadyStored: export.responses.count - added, total: Int(total))
    }

    /// Every stored response of a survey, as anonymous records. Answers to questions no longer
    /// in the definition are left out.
    public static func records(_ survey: SurveyDefinition, in db: Database) throws -> [SurveyRecord] {
        let types = Dictionary(survey.questions.map { ($0.id, $0.type) }, uniquingKeysWith: { a, _ in a })
        let statement = try db.prepare("""
            SELECT r.id, r.academy, a.question_id, a.likert, a.choice, a.comment
            FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id
            WHERE r.survey_id = ? ORDER BY r.id, a.question_id, a.ordinal
            """)
        try statement.bind([.text(survey.id)])
        defer { statement.reset() }
        var records: [SurveyRecord] = []
        var current: PendingRecord?
        while try statement.step() {
            let id = statement.int64(at: 0)
            if current?.id != id {
                if let done = current?.record { records.append(done) }
                current = PendingRecord(id: id, academy: AcademyID(statement.string(at: 1) ?? ""))
            }
            guard let question = statement.string(at: 2), let type = types[question] else { continue }
            let value: SurveyAnswerValue = switch type {
            case .likert5: .likert(Int(statement.int64(at: 3)))
            case .rating, .nps: .choice(statement.string(at: 4) ?? "")
            case .ranking: .choices([statement.string(at: 4) ?? ""])
            case .choice: .choice(statement.string(at: 4) ?? "")
            case .multi: .choices([statement.string(at: 4) ?? ""])
            case .text: .text(statement.string(at: 5) ?? "")
            }
            current?.add(value, to: question)
        }
        if let done = current?.record { records.append(done) }
        return records
    }

    /// The suppressed report of everything stored for the survey, as `trustctl survey report` shows it.
    public static func report(_ survey: SurveyDefinition, academies: AcademyCatalog, in db: Database) throws -> SurveyReport {
        SurveyReport.build(survey: survey, academies: academies, records: try records(survey, in: db))
    }

    /// Keeps the survey's latest "you said" for the newsletter.
    public static func saveYouSaid(_ summary: YouSaid, now: Date, in db: Database) throws {
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        try db.execute("""
            INSERT INTO survey_summaries (survey_id, audience, title, you_said, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (survey_id) DO UPDATE SET audience = excluded.audience, title = excluded.title,
                you_said = excluded.you_said, updated_at = excluded.updated_at
            """, [.text(summary.surveyID), .text(summary.audience.rawValue), .text(summary.title), .text(json),
                  .text(timestamp(now))])
    }

    /// The "you said" of the most recently processed survey, optionally of one audience only:
    /// what the newsletter quotes. Nil when no survey has been processed.
    public static func latestYouSaid(_ db: Database, audience: SurveyDefinition.Audience? = nil) throws -> YouSaid? {
        let rows = try db.query("""
            SELECT you_said FROM survey_summaries WHERE ?1 IS NULL OR audience = ?1
            ORDER BY updated_at DESC, survey_id LIMIT 1
            """, [.optional(audience?.rawValue)])
        guard let json = rows.first?.string(0) else { return nil }
        return try JSONDecoder().decode(YouSaid.self, from: Data(json.utf8))
    }

    /// UTC, to the millisecond, so summaries sort by when they were made.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon))
    }
}

/// A response being read back row by row: a multi question's options arrive one row each.
private struct PendingRecord {
    let id: Int64
    let academy: AcademyID
    var answers: [SurveyAnswer] = []

    var record: SurveyRecord { SurveyRecord(academy: academy, answers: answers) }

    mutating func add(_ value: SurveyAnswerValue, to question: String) {
        if case .choices(let more) = value, let last = answers.last, last.question == question,
           case .choices(let options) = last.value {
            answers[answers.count - 1] = SurveyAnswer(question: question, value: .choices(options + more))
        } else {
            answers.append(SurveyAnswer(question: question, value: value))
        }
    }
}
