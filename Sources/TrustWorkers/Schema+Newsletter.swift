import Store

extension TrustSchema {
    static let newsletter: [Migration] = []
}
