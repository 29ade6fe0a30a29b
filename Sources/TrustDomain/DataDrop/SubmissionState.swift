import Foundation

/// One file an academy sent for a drop, as the data-drop worker recorded it.
public struct DropAttempt: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case accepted, refused = "rejected" }

    /// Increases with every attempt recorded, so it orders attempts as they were handled.
    public let sequence: Int
    public let outcome: Outcome
    public let receivedAt: Date
    /// The broker user who published the file: the academy itself, or trust staff on its behalf.
    public let submittedBy: String?
    /// Pupils stored; nil for a refused file.
    public let pupils: Int?
    public let errorCount: Int

    public init(sequence: Int, outcome: Outcome, receivedAt: Date, submittedBy: String?, pupils: Int?,
                errorCount: Int) {
        self.sequence = sequence
        self.outcome = outcome
        self.receivedAt = receivedAt
        self.submittedBy = submittedBy
        self.pupils = pupils
        self.errorCount = errorCount
    }

    enum CodingKeys: String, CodingKey {
        case sequence, outcome, pupils
        case receivedAt = "received_at", submittedBy = "submitted_by", errorCount = "error_count"
    }
}

/// Where one academy stands for one drop: the data in use kept apart from the latest attempt.
/// Every output (the Board report, `drop status`, FAcT, the calendar's e-mails) reads this and
/// nothing else, so they cannot disagree: a refused later file never hides accepted data, and
/// every output that mentions the academy mentions the refusal.
public struct AcademySubmission: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// The latest file was accepted and is the data in use.
        case accepted
        /// Data is in use, but a later file was refused; the earlier data stands.
        case acceptedLaterRefused = "accepted, later file refused"
        /// Files were sent and every one was refused: no data in use.
        case refused
        case notSubmitted = "not submitted"
    }

    public let academy: AcademyID
    /// The latest accepted file: the data the report and every figure use.
    public let inUse: DropAttempt?
    /// The latest file of any outcome.
    public let latest: DropAttempt?
    public let first: DropAttempt?
    public let attempts: Int

    /// `attempts` in the order they were handled (any order is accepted).
    public init(academy: AcademyID, attempts: [DropAttempt]) {
        let ordered = attempts.sorted { $0.sequence < $1.sequence }
        self.academy = academy
        inUse = ordered.last { $0.outcome == .accepted }
        latest = ordered.last
        first = ordered.first
        self.attempts = ordered.count
    }

    public var hasData: Bool { inUse != nil }

    public var status: Status {
        switch (inUse, latest?.outcome) {
        case (nil, nil): .notSubmitted
        case (nil, _): .refused
        case (_, .refused?): .acceptedLaterRefused
        default: .accepted
        }
    }

    /// The latest attempt when it was refused (whether or not earlier data stands).
    public var refusal: DropAttempt? { latest?.outcome == .refused ? latest : nil }

    /// The one sentence every output uses: "accepted 24 November 2021, 09:14 (612 pupils); a
    /// later file on 24 November 2021, 10:02 was refused: 1 error".
    public var summary: String {
        var parts: [String] = []
        if let inUse {
            parts.append("accepted \(ReportFormat.ukDateTime(inUse.receivedAt)) (\(inUse.pupils ?? 0) pupils)")
        }
        if let refusal {
            let errors = "\(refusal.errorCount) \(refusal.errorCount == 1 ? "error" : "errors")"
            parts.append(inUse == nil
                ? "refused \(ReportFormat.ukDateTime(refusal.receivedAt)): \(errors); no data in use"
                : "a later file on \(ReportFormat.ukDateTime(refusal.receivedAt)) was refused: \(errors)")
        }
        return parts.isEmpty ? "not submitted" : parts.joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey {
        case academy, attempts, first, latest, status, summary
        case inUse = "in_use"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(academy.rawValue, forKey: .academy)
        try c.encode(attempts, forKey: .attempts)
        try c.encodeIfPresent(first, forKey: .first)
        try c.encodeIfPresent(latest, forKey: .latest)
        try c.encodeIfPresent(inUse, forKey: .inUse)
        try c.encode(status, forKey: .status)
        try c.encode(summary, forKey: .summary)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        academy = AcademyID(try c.decode(String.self, forKey: .academy))
        attempts = try c.decode(Int.self, forKey: .attempts)
        first = try c.decodeIfPresent(DropAttempt.self, forKey: .first)
        latest = try c.decodeIfPresent(DropAttempt.self, forKey: .latest)
        inUse = try c.decodeIfPresent(DropAttempt.self, forKey: .inUse)
    }
}

/// Every academy's submission for one drop, in the catalog's order.
public struct DropSubmissionState: Sendable, Equatable {
    public let drop: DropID
    public let academies: [AcademySubmission]

    /// `attempts` by academy; academies of `catalog` with none are "not submitted", and
    /// attempts for academies outside the catalog are ignored.
    public init(drop: DropID, catalog: AcademyCatalog, attempts: [AcademyID: [DropAttempt]]) {
        self.drop = drop
        academies = catalog.academies.map { AcademySubmission(academy: $0.id, attempts: attempts[$0.id] ?? []) }
    }

    public subscript(academy: AcademyID) -> AcademySubmission? { academies.first { $0.academy == academy } }

    /// Academies whose data is in use.
    public var submitted: [AcademyID] { academies.filter(\.hasData).map(\.academy) }
    /// Academies with no data in use (never sent, or every file refused).
    public var notSubmitted: [AcademyID] { academies.filter { !$0.hasData }.map(\.academy) }
    /// Academies whose latest file was refused, whether or not earlier data stands.
    public var withRefusal: [AcademySubmission] { academies.filter { $0.refusal != nil } }
    public var pupils: Int { academies.compactMap { $0.inUse?.pupils }.reduce(0, +) }
    public var isComplete: Bool { notSubmitted.isEmpty }

    /// "14 of 15 academies have data in use (6,020 pupils); Thornhill's later file was refused".
    public func headline(names: (AcademyID) -> String) -> String {
        var text = "\(submitted.count) of \(academies.count) academies have data in use (\(ReportFormat.grouped(pupils)) pupils)"
        let later = academies.filter { $0.status == .acceptedLaterRefused }
        if !later.isEmpty {
            text += "; a later file was refused for " + later.map { names($0.academy) }.joined(separator: ", ")
                + " (earlier data stands)"
        }
        return text
    }
}

extension ReportFormat {
    /// `6,020`: whole numbers with thousands separators, independent of the host's locale.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
