import Foundation

extension ForumCalendar {
    /// What reminders need beyond the file's own checks, run when the reminder worker starts:
    /// invitations describe Europe/London only, and a Teams link goes into every e-mail, so a
    /// typo there would send a whole audience to a broken link; the organiser receives the
    /// replies, so it must be a real address.
    public func checkForReminders() throws(ConfigError) {
        guard timeZone.identifier == ICalendar.timeZoneID else {
            throw .invalidValue(file: Self.fileName, entry: nil, field: "timezone",
                                value: "\"\(timeZone.identifier)\"",
                                reason: "is not Europe/London, the only zone calendar invitations describe")
        }
        if let organiser {
            guard MailAddress.isValid(organiser.address) else {
                throw .invalidValue(file: Self.fileName, entry: nil, field: "organiser.address",
                                    value: "\"\(organiser.address)\"", reason: "is not a plain e-mail address (name@domain)")
            }
        }
        for forum in forums {
            try Self.checkLink(forum.onlineURL, entry: "forum \"\(forum.id)\"")
            for (index, occurrence) in forum.occurrences.enumerated() {
                try Self.checkLink(occurrence.onlineURL, entry: "forum \"\(forum.id)\" occurrence \(index + 1)")
            }
        }
    }

    private static func checkLink(_ link: String?, entry: String) throws(ConfigError) {
        guard let link else { return }
        let valid = link.hasPrefix("https://") && link.count > 8
            && !link.contains { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }
        guard !valid else { return }
        throw .invalidValue(file: fileName, entry: entry, field: "online_url", value: "\"\(link)\"",
                            reason: "is not an https:// link")
    }
}
