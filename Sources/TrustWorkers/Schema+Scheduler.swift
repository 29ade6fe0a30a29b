import Store

extension TrustSchema {
    static let scheduler: [Migration] = []
}
