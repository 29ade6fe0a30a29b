import Broker
import CCrypto
import Foundation
import TrustDomain

/// How an export travels to the survey worker (the contract's `survey.<survey-id>` message).
public enum SurveySubmission {
    /// The contract's message type; the worker refuses any other.
    public static let type = "survey.submitted"
    /// `survey.<survey-id>`: the topic binding `survey.*` routes every survey to one queue.
    public static let routingPrefix = "survey."

    /// Derived from the content, so sending the same file twice is recognised as one message by
    /// the worker's ledger before the file is even read.
    public static func messageID(surveyID: String, body: [UInt8]) -> String {
        "survey:\(surveyID):sha256:\(sha256Hex(body))"
    }

    /// The message `trustctl survey submit` publishes: persistent, typed, content-addressed.
    /// The content type is informational (the worker tells a workbook by its bytes); `sheet`
    /// travels as `x-sheet`, and is part of the id since another sheet is another export.
    public static func message(surveyID: String, body: [UInt8], exchange: String, now: Date,
                               format: TableFormat = .csvUTF8, sheet: String? = nil) -> OutgoingMessage {
        let id = messageID(surveyID: surveyID, body: body) + (sheet.map { ":sheet:\($0)" } ?? "")
        let properties = MessageProperties(messageID: id, type: type, contentType: format.contentType,
                                           timestamp: UInt64(now.timeIntervalSince1970),
                                           headers: sheet.map { [DropFileHeaders.sheet: .string($0)] } ?? [:])
        return OutgoingMessage(exchange: exchange, routingKey: routingPrefix + surveyID, properties: properties, body: body)
    }

    /// The survey a routing key names, or nil when it is not `survey.<slug>`.
    public static func surveyID(routingKey: String) -> String? {
        guard routingKey.hasPrefix(routingPrefix) else { return nil }
        let id = String(routingKey.dropFirst(routingPrefix.count))
        return AcademyID.isValidSlug(id) ? id : nil
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        bytes.withUnsafeBufferPointer { b in
            _ = EVP_Digest(b.baseAddress, b.count, &digest, &length, EVP_sha256(), nil)
        }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
