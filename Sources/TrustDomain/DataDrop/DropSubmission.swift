/// The academy and drop a submitted file belongs to, once every source of that fact agrees.
public struct RoutedDrop: Hashable, Sendable {
    public let academy: AcademyID
    public let drop: DropID

    public init(academy: AcademyID, drop: DropID) {
        self.academy = academy
        self.drop = drop
    }
}

/// Why a submission's envelope (not its CSV) was refused. Values are shown display-safe
/// because they come straight from message properties anyone with broker access can set.
public enum DropSubmissionProblem: Hashable, Sendable, CustomStringConvertible {
    case noAcademy
    case unknownAcademy(String, source: Source)
    case academiesDisagree(routingKey: String, header: String)
    case academyNotAllowedForUser(user: String, academy: String)
    case missingDrop
    case invalidDrop(String)

    public enum Source: String, Hashable, Sendable {
        case routingKey = "the routing key"
        case header = "the x-academy header"
    }

    public var description: String {
        switch self {
        case .noAcademy:
            "no academy given; publish with the routing key datadrop.<academy>"
        case .unknownAcademy(let text, let source):
            "unknown academy \(quoted(text)) in \(source.rawValue); use an academy id from Config/academies.json, such as manor-green"
        case .academiesDisagree(let key, let header):
            "the routing key names \(quoted(key)) but the x-academy header names \(quoted(header)); they must name the same academy"
        case .academyNotAllowedForUser(let user, let academy):
            "the academy user \(quoted(user)) may submit drops only for its own academy, not \(quoted(academy))"
        case .missingDrop:
            "the x-drop header is missing; it names the drop, such as 2026-27/autumn"
        case .invalidDrop(let text):
            "the x-drop header \(quoted(text)) is not a drop; write it as YYYY-YY/term, such as 2026-27/autumn"
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + DropValidationError.displaySafe(text) + "\""
    }
}

public struct DropSubmissionRejected: Error, Hashable, Sendable, CustomStringConvertible {
    public let problems: [DropSubmissionProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Decides which academy and drop a `datadrop.submitted` message is for.
///
/// Why three sources are cross-checked: the routing key is what the broker's topic permissions
/// check, the optional `x-academy` header is what a person or tool asserted, and the
/// broker-validated `user_id` says who really published. An academy user publishing for
/// another academy, or a message whose key and header disagree, is refused rather than guessed.
public enum DropSubmission {
    public static let routingKeyPrefix = "datadrop."

    /// The academy part of a routing key such as `datadrop.birstall`, or nil for other keys.
    public static func academy(fromRoutingKey key: String) -> String? {
        guard key.hasPrefix(routingKeyPrefix) else { return nil }
        return String(key.dropFirst(routingKeyPrefix.count))
    }

    /// - Parameters:
    ///   - routingKeyAcademy: the `<academy>` of `datadrop.<academy>`; preferred when present.
    ///   - headerAcademy: the `x-academy` header, if any.
    ///   - userID: the broker-validated `user_id`. A user id that is itself a known academy id is
    ///     an academy user and may submit only for that academy; any other user (for example
    ///     `trust-operator`, `worker`, `guest`) is trust staff or tooling and may submit for any.
    ///   - dropHeader: the `x-drop` header, such as `2026-27/autumn`.
    /// Every problem is reported, not just the first.
    public static func route(routingKeyAcademy: String?, headerAcademy: String?, userID: String?,
                             knownAcademies: Set<AcademyID>, dropHeader: String?)
        throws(DropSubmissionRejected) -> RoutedDrop
    {
        var problems: [DropSubmissionProblem] = []
        let keyText = nonEmpty(routingKeyAcademy)
        let headerText = nonEmpty(headerAcademy)
        func known(_ text: String?, _ source: DropSubmissionProblem.Source) -> AcademyID? {
            guard let text else { return nil }
            if knownAcademies.contains(AcademyID(text)) { return AcademyID(text) }
            problems.append(.unknownAcademy(text, source: source))
            return nil
        }
        let keyAcademy = known(keyText, .routingKey)
        let headerAcademyID = known(headerText, .header)
        let claimed = keyText ?? headerText
        if claimed == nil { problems.append(.noAcademy) }
        if let keyAcademy, let headerAcademyID, keyAcademy != headerAcademyID {
            problems.append(.academiesDisagree(routingKey: keyAcademy.rawValue,
                                               header: headerAcademyID.rawValue))
        }
        if let user = nonEmpty(userID), knownAcademies.contains(AcademyID(user)),
            let claimed, claimed != user
        {
            problems.append(.academyNotAllowedForUser(user: user, academy: claimed))
        }

        var drop: DropID?
        if let dropText = nonEmpty(dropHeader) {
            drop = DropID(dropText)
            if drop == nil { problems.append(.invalidDrop(dropText)) }
        } else {
            problems.append(.missingDrop)
        }

        guard problems.isEmpty, let academy = keyText == nil ? headerAcademyID : keyAcademy,
            let drop
        else { throw DropSubmissionRejected(problems: problems) }
        return RoutedDrop(academy: academy, drop: drop)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingDropWhitespace, !text.isEmpty else { return nil }
        return text
    }
}
