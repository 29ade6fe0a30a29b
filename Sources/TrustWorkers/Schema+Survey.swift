import Store

extension TrustSchema {
    static let survey: [Migration] = []
}
