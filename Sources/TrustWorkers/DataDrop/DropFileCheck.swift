import Foundation
import TrustDomain

/// A data-drop file checked exactly as the data-drop worker checks it, for `trustctl drop
/// check` and `drop submit`: same rules, same messages, same masking of UPNs, so what an
/// academy sees before sending is what the worker would reply.
public enum DropFileCheck {
    public static func check(_ bytes: [UInt8], term: Term?, sheet: String? = nil) -> Result<DropFileContents, DropRejection> {
        do throws(DropRejection) {
            return .success(try DataDropFile.read(bytes, term: term, sheet: sheet))
        } catch {
            return .failure(masked(error))
        }
    }

    /// `rejection` with every UPN-shaped value masked, as it is stored, mailed and announced.
    public static func masked(_ rejection: DropRejection) -> DropRejection {
        DropRejection(errors: rejection.errors.map(DataDropHandler.maskingUPN), totalCount: rejection.totalCount)
    }

    /// "612 pupils: N 26, R 85, Y1 90, …": the one-line summary of a valid file.
    public static func summary(_ contents: DropFileContents) -> String {
        let counts = YearGroup.allCases.compactMap { year -> String? in
            let n = contents.pupils.count { $0.year == year }
            return n == 0 ? nil : "\(year.isAssessed ? "Y" : "")\(year.rawValue) \(n)"
        }
        var text = "\(contents.pupils.count) pupils (\(counts.joined(separator: ", "))), read as \(contents.format.description)"
        if !contents.droppedNameColumns.isEmpty {
            text += "; name columns ignored, never stored: \(contents.droppedNameColumns.joined(separator: ", "))"
        }
        return text
    }
}
