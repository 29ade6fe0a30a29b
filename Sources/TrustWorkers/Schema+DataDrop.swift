import Store

extension TrustSchema {
    static let dataDrop: [Migration] = []
}
