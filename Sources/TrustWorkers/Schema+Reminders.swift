import Store

extension TrustSchema {
    static let reminders: [Migration] = []
}
