import Foundation

// How config files are read. Values that cannot exist as their Swift type (a 30 February, a
// role outside the vocabulary) are refused while decoding; rules about values that can exist
// (a percentage over 100, a duplicate id) are checked afterwards by `ConfigValidator`. Either
// way the error ends up as a `ConfigError` naming the entry the way an editor would.

/// A config file with a fixed name under `TRUST_CONFIG`, decoded and then checked as a whole.
protocol ConfigDocument: Decodable {
    func validate(_ check: ConfigValidator) throws(ConfigError)
}

extension ConfigDocument {
    static func loadDocument(from data: Data, file: String) throws(ConfigError) -> Self {
        let document = try ConfigDecoding.decode(Self.self, from: data, file: file)
        try document.validate(ConfigValidator(file: file))
        return document
    }

    static func loadDocument(contentsOf url: URL) throws(ConfigError) -> Self {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.lastPathComponent, reason: error.localizedDescription)
        }
        return try loadDocument(from: data, file: url.lastPathComponent)
    }
}

enum ConfigDecoding {
    /// JSON syntax is checked on its own first because only `JSONSerialization` reports where a
    /// syntax error is; the parsed tree is then also what turns coding paths into entry names.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String)
        throws(ConfigError) -> T
    {
        let tree: Any
        do {
            tree = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw .malformed(file: file, reason: "is not valid JSON (\(detail ?? "\(error)"))")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw translate(error, tree: tree, file: file)
        } catch {
            throw .malformed(file: file, reason: "cannot be decoded (\(error))")
        }
    }

    private static func translate(_ error: DecodingError, tree: Any, file: String) -> ConfigError {
        switch error {
        case .keyNotFound(let key, let context):
            let place = ConfigPlace(context.codingPath + [key], in: tree)
            return .missingField(file: file, entry: place.entry, field: place.field)
        case .valueNotFound(_, let context):
            let place = ConfigPlace(context.codingPath, in: tree)
            return .missingField(file: file, entry: place.entry, field: place.field)
        case .typeMismatch(let type, let context):
            let place = ConfigPlace(context.codingPath, in: tree)
            return .wrongType(file: file, entry: place.entry, field: place.field,
                              value: ConfigValue.text(place.value), expected: describe(type))
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // The syntax already passed, so JSONDecoder is complaining about a number it could
            // not fit into its field, and it does not say which one.
            return .malformed(file: file, reason: "has a number with a fraction or out of range "
                + "where a whole number is expected")
        case .dataCorrupted(let context):
            let place = ConfigPlace(context.codingPath, in: tree)
            return .invalidValue(file: file, entry: place.entry, field: place.field,
                                 value: ConfigValue.text(place.value),
                                 reason: context.debugDescription)
        @unknown default:
            return .malformed(file: file, reason: "cannot be decoded (\(error))")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is [String: Any].Type: "an object { … }"
        case is [Any].Type: "a list [ … ]"
        case is String.Type: "text in double quotes"
        case is Bool.Type: "true or false"
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        default: "a \(type)"
        }
    }
}

/// A position in a config file named the way a person would point at it:
/// `forum "english-leaders" occurrence 2` and `date`, not `forums[3].occurrences[1].date`.
struct ConfigPlace {
    var entry: String?
    var field: String
    /// The JSON value found there, if any, so messages can quote what was typed.
    var value: Any?

    init(_ path: [any CodingKey], in tree: Any) {
        var entries: [String] = []
        var keys: [String] = []
        var node: Any? = tree
        for component in path {
            if let index = component.intValue {
                let list = node as? [Any]
                node = list.flatMap { $0.indices.contains(index) ? $0[index] : nil }
                // An object inside a named list is an entry; its list's name becomes the noun.
                if let object = node as? [String: Any], let collection = keys.popLast() {
                    entries.append(ConfigEntry.name(of: object, at: index, in: collection,
                                                    nested: !entries.isEmpty))
                    keys.removeAll()
                }
            } else {
                keys.append(component.stringValue)
                node = (node as? [String: Any])?[component.stringValue]
            }
        }
        entry = entries.isEmpty ? nil : entries.joined(separator: " ")
        field = keys.isEmpty ? "top level" : keys.joined(separator: ".")
        value = node
    }
}

/// Names for entries, shared by decoding and validation so both kinds of error read alike.
/// Top-level entries are named by id because that is what people search the file for; nested
/// ones by position, because their ids are usually built from the parent's id and the date —
/// the very values that may be wrong.
enum ConfigEntry {
    static func named(_ noun: String, _ id: String) -> String { "\(noun) \"\(id)\"" }
    static func numbered(_ noun: String, _ index: Int) -> String { "\(noun) \(index + 1)" }

    static func name(of object: [String: Any], at index: Int, in collection: String,
                     nested: Bool) -> String
    {
        let noun = singular(collection)
        if !nested, let id = object["id"] as? String, !id.isEmpty { return named(noun, id) }
        return numbered(noun, index)
    }

    private static func singular(_ plural: String) -> String {
        if plural.hasSuffix("ies") { return plural.dropLast(3) + "y" }
        if plural.hasSuffix("s") { return String(plural.dropLast()) }
        return plural
    }
}

enum ConfigValue {
    /// The JSON spelling of a value (strings in quotes, numbers bare, `120` not `120.0`), so a
    /// message quotes what the editor typed and they can search the file for it.
    static func text(_ value: Any?) -> String {
        guard let value else { return "null" }
        let options: JSONSerialization.WritingOptions = [
            .fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options)
        else { return "\(value)" }
        let text = String(decoding: data, as: UTF8.self)
        return text.count <= 80 ? text : text.prefix(77) + "..."
    }
}

/// A value people type as text in a fixed format (a date, a time of day). Decoding failures
/// carry a reason phrased to follow the field and value: `date "2021-02-30" <reason>`.
protocol ConfigText: Codable, LosslessStringConvertible {
    static var formatProblem: String { get }
}

extension ConfigText {
    static func decodeText(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        guard let value = Self(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: formatProblem)
        }
        return value
    }

    func encodeText(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A closed set of spellings (roles, regions, judgements). The synthesized decoder's "Cannot
/// initialize Role from invalid String value" helps nobody; this one lists what is accepted.
protocol ConfigVocabulary: RawRepresentable<String>, CaseIterable, Codable {
    /// Singular noun for the set, e.g. "role".
    static var vocabularyName: String { get }
}

extension ConfigVocabulary {
    static func decodeCase(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        guard let value = Self(rawValue: try container.decode(String.self)) else {
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "is not a known \(vocabularyName) (expected one of: \(known))")
        }
        return value
    }
}

extension KeyedDecodingContainer {
    /// A time-zone name such as `Europe/London`, refused with a readable reason otherwise.
    func decodeTimeZone(forKey key: Key) throws -> TimeZone {
        let name = try decode(String.self, forKey: key)
        guard let zone = TimeZone(identifier: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "is not a known time zone (expected a name such as Europe/London)")
        }
        return zone
    }
}
