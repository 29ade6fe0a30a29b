import Foundation

/// An e-mail the data-drop process owes someone, before it is addressed: what happened and
/// what to do next. `id` names the event, so recording a notice twice (a redelivered message,
/// a scheduler pass repeated after a crash) cannot send it twice.
public struct DropNotice: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case receipt, refusal, reminder, chaser, summary
        case boardReport = "board-report"
    }

    public let id: String
    public let kind: Kind
    public let drop: DropID
    /// The academy it is about; nil for the trust-wide summary and report.
    public let academy: AcademyID?
    public let subject: String
    public let text: String
}

/// The wording of every data-drop e-mail. Pure: the worker supplies the state, the calendar
/// and the day, so each text is unit-tested as the reader sees it. Nothing here ever prints a
/// UPN: refusals quote the validator's messages, whose UPN values are masked before they get
/// here, and receipts give counts only.
public enum DropNotices {
    /// The listed errors in a refusal; the rest are counted.
    public static let listedErrors = 20

    public static func receipt(academy: Academy, drop: ScheduledDrop, contents: DropFileContents,
                               receivedAt: Date, submittedBy: String?, messageID: String) -> DropNotice {
        let pupils = contents.pupils
        var lines = [
            "Dear colleague,", "",
            "\(academy.name)'s file for the \(name(drop.id)) data drop was accepted on \(ReportFormat.ukDateTime(receivedAt)) "
                + "(\(sentBy(submittedBy, academy: academy))). It replaces any file accepted earlier for this drop.", "",
            "The file was read as \(contents.format.description). What the trust now holds for \(academy.shortName):",
            "  pupils: \(ReportFormat.grouped(pupils.count))",
            "  by year group: " + YearGroup.allCases.compactMap { year in
                let n = pupils.count { $0.year == year }
                return n == 0 ? nil : "\(year == .nursery ? "N" : year == .reception ? "R" : "Y" + year.rawValue) \(n)"
            }.joined(separator: ", "),
            "  pupil premium \(pupils.count(where: \.pupilPremium)), EAL \(pupils.count(where: \.eal)), "
                + "SEN support \(pupils.count { $0.send == .senSupport }), EHC plans \(pupils.count { $0.send == .ehcPlan })",
        ]
        let assessed = pupils.filter { $0.attainment != nil }
        if !assessed.isEmpty {
            func atExpected(_ subject: Subject) -> Int { assessed.count { ($0.attainment![subject].judgement ?? .blw) >= .exs } }
            lines.append("  years 1–6 at the expected standard or above: reading \(atExpected(.reading)), "
                + "writing \(atExpected(.writing)), maths \(atExpected(.maths)) of \(assessed.count) pupils")
        }
        if !contents.droppedNameColumns.isEmpty {
            lines += ["", "The file had name columns (\(contents.droppedNameColumns.joined(separator: ", "))); "
                + "they were ignored and not stored. The trust never keeps pupils' names; you may leave them out."]
        }
        lines += ["", "If any figure looks wrong, correct the file and send it again before the deadline, "
            + "\(drop.deadline.longDescription); the latest accepted file is the one the Board report uses."]
        return DropNotice(id: "receipt:\(messageID)", kind: .receipt, drop: drop.id, academy: academy.id,
                          subject: "\(name(drop.id)) data drop: \(academy.shortName)'s file accepted (\(pupils.count) pupils)",
                          text: (lines + signature).joined(separator: "\n"))
    }

    /// `rejection`'s UPN values must already be masked.
    public static func refusal(academy: Academy, drop: ScheduledDrop, rejection: DropRejection, receivedAt: Date,
                               submittedBy: String?, state: AcademySubmission, messageID: String) -> DropNotice {
        let count = rejection.totalCount
        var lines = [
            "Dear colleague,", "",
            "\(academy.name)'s file for the \(name(drop.id)) data drop, received \(ReportFormat.ukDateTime(receivedAt)) "
                + "(\(sentBy(submittedBy, academy: academy))), was refused: \(count) \(count == 1 ? "problem" : "problems"). "
                + "A drop is all or nothing, so nothing from this file was stored.", "",
            state.inUse.map { "The file accepted on \(ReportFormat.ukDateTime($0.receivedAt)) (\($0.pupils ?? 0) pupils) still stands "
                + "and is what the Board report uses until a corrected file is accepted." }
                ?? "\(academy.shortName) has no accepted data for this drop yet.",
            "", "What to fix (line numbers count the header as line 1, as a spreadsheet does):",
        ]
        lines += rejection.errors.prefix(listedErrors).map { "  - \($0)" }
        let unlisted = count - min(listedErrors, rejection.errors.count)
        if unlisted > 0 { lines.append("  … and \(unlisted) more; correcting the ones above often clears them") }
        lines += ["", "Correct the file and send it again by \(drop.deadline.longDescription). "
            + "To check a file before sending it, run: trustctl drop check FILE --drop \(drop.id). "
            + "It gives exactly these messages. The file's layout is described in DATA-DROP-FILE.md."]
        return DropNotice(id: "refusal:\(messageID)", kind: .refusal, drop: drop.id, academy: academy.id,
                          subject: "\(name(drop.id)) data drop: \(academy.shortName)'s file was refused (\(count) \(count == 1 ? "problem" : "problems"))",
                          text: (lines + signature).joined(separator: "\n"))
    }

    public static func reminder(academy: Academy, drop: ScheduledDrop, state: AcademySubmission,
                                today: CalendarDate) -> DropNotice {
        let lines = [
            "Dear colleague,", "",
            "The \(name(drop.id)) data drop is due \(when(drop.deadline, from: today)), \(drop.deadline.longDescription). "
                + "The trust has no accepted file from \(academy.shortName) yet" + refusedSoFar(state) + ".", "",
            "The data goes to the Trust Board on \(drop.boardMeeting.longDescription).",
            "A template with the header and an example row per year group: trustctl drop template --academy \(academy.id) --drop \(drop.id).",
            "To check a file before sending it: trustctl drop check FILE --drop \(drop.id).",
        ]
        return DropNotice(id: "reminder:\(drop.id):\(academy.id)", kind: .reminder, drop: drop.id, academy: academy.id,
                          subject: "\(name(drop.id)) data drop due \(when(drop.deadline, from: today)): \(academy.shortName)",
                          text: (lines + signature).joined(separator: "\n"))
    }

    public static func chaser(academy: Academy, drop: ScheduledDrop, state: AcademySubmission,
                              today: CalendarDate) -> DropNotice {
        let late = -drop.daysLeft(on: today)
        let lines = [
            "Dear colleague,", "",
            "The \(name(drop.id)) data drop was due on \(drop.deadline.longDescription), \(late) \(late == 1 ? "day" : "days") ago, "
                + "and the trust has no accepted file from \(academy.shortName)" + refusedSoFar(state) + ".", "",
            "The Board report for the meeting on \(drop.boardMeeting.longDescription) lists \(academy.shortName) as not submitted "
                + "until a file is accepted. Please send it as soon as you can, or reply to say when it will come.",
            "To check a file before sending it: trustctl drop check FILE --drop \(drop.id).",
        ]
        return DropNotice(id: "chaser:\(drop.id):\(academy.id)", kind: .chaser, drop: drop.id, academy: academy.id,
                          subject: "\(name(drop.id)) data drop overdue: \(academy.shortName)",
                          text: (lines + signature).joined(separator: "\n"))
    }

    /// For the data manager, the first working day after the deadline.
    public static func summary(drop: ScheduledDrop, state: DropSubmissionState, catalog: AcademyCatalog,
                               chased: [AcademyID], today: CalendarDate) -> DropNotice {
        let names = shortNames(catalog)
        var lines = [
            "The \(name(drop.id)) deadline was \(drop.deadline.longDescription).",
            state.headline(names: names) + ".", "",
        ]
        lines.append(chased.isEmpty ? "Every academy has data in use; nobody was chased."
            : "Chased today: " + chased.map(names).joined(separator: ", ") + ".")
        lines += ["", "Academy by academy:"]
        for academy in state.academies {
            lines.append("  \(names(academy.academy).padding(toLength: 15, withPad: " ", startingAt: 0)) "
                + "\(academy.summary) (\(academy.attempts) \(academy.attempts == 1 ? "file" : "files"))")
        }
        lines += ["", "trustctl drop status --drop \(drop.id) shows the same, with the errors of refused files."]
        return DropNotice(id: "summary:\(drop.id)", kind: .summary, drop: drop.id, academy: nil,
                          subject: "\(name(drop.id)) data drop after the deadline: \(state.submitted.count) of \(state.academies.count) academies",
                          text: lines.joined(separator: "\n"))
    }

    public static func boardReport(drop: ScheduledDrop, state: DropSubmissionState, catalog: AcademyCatalog,
                                   generatedAt: Date) -> DropNotice {
        let names = shortNames(catalog)
        var lines = [
            "Dear colleague,", "",
            "The Board RAG report for the \(name(drop.id)) data drop is attached, generated \(ReportFormat.ukDateTime(generatedAt)) "
                + "for the Trust Board meeting on \(drop.boardMeeting.longDescription). Open it in a browser; it prints on A4.", "",
            state.headline(names: names) + ".",
        ]
        lines.append(state.notSubmitted.isEmpty ? "Every academy submitted."
            : "Not submitted by the deadline: " + state.notSubmitted.map(names).joined(separator: ", ")
                + ". The report shows them as not submitted and leaves them out of trust figures.")
        return DropNotice(id: "board-report:\(drop.id)", kind: .boardReport, drop: drop.id, academy: nil,
                          subject: "Board RAG report, \(name(drop.id)): \(state.submitted.count) of \(state.academies.count) academies",
                          text: (lines + signature).joined(separator: "\n"))
    }

    static func name(_ drop: DropID) -> String { ReportFormat.dropName(drop) }

    static let signature = ["", "Focus-Trust central data team"]

    static func shortNames(_ catalog: AcademyCatalog) -> (AcademyID) -> String {
        { id in catalog.academy(id)?.shortName ?? id.rawValue }
    }

    private static func sentBy(_ user: String?, academy: Academy) -> String {
        guard let user, user != academy.id.rawValue else { return "sent by \(academy.shortName)" }
        return "sent on \(academy.shortName)'s behalf by \(user)"
    }

    private static func refusedSoFar(_ state: AcademySubmission) -> String {
        guard state.inUse == nil, let refusal = state.refusal else { return "" }
        return " (the file sent \(ReportFormat.ukDateTime(refusal.receivedAt)) was refused: "
            + "\(refusal.errorCount) \(refusal.errorCount == 1 ? "problem" : "problems"))"
    }

    /// "today", "tomorrow", "in 3 days" from `today` to `date`.
    static func when(_ date: CalendarDate, from today: CalendarDate) -> String {
        switch date.days(since: today) {
        case ..<0: "on \(date.longDescription)"
        case 0: "today"
        case 1: "tomorrow"
        case let n: "in \(n) days"
        }
    }
}
