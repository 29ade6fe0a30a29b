import TrustDomain

/// A mistake a data manager really makes when exporting a drop, for the demo to show a
/// rejected file next to its corrected resubmission. Each produces one validation error in a
/// known place. Raw values are the names a command line takes (`--mistakes year-7,...`).
public enum DropMistake: String, CaseIterable, Sendable, Codable {
    /// A year 6 pupil typed as year 7 (the last year 6 row).
    case yearSeven = "year-7"
    /// The first pupil's UPN with a wrong check letter, as if mistyped.
    case badCheckLetter = "bad-check-letter"
    /// A reading judgement on the last reception row, where only GLD belongs.
    case judgementInReception = "judgement-in-reception"
    /// The second pupil's row pasted again at the end of the file.
    case duplicatedPupil = "duplicated-pupil"
    /// The `send` column left out of the export. Rows are not checked when the header is
    /// wrong, so with this mistake the file shows only the header error.
    case missingColumn = "missing-column"

    /// What went wrong, as a demo narrates it.
    public var summary: String {
        switch self {
        case .yearSeven: "a year 6 pupil typed as year 7"
        case .badCheckLetter: "a UPN with a mistyped check letter"
        case .judgementInReception: "a reading judgement on a reception pupil's row"
        case .duplicatedPupil: "the same pupil's row twice"
        case .missingColumn: "the send column missing from the export"
        }
    }

    /// Edits a table whose first row is the header. The generator applies mistakes in
    /// `allCases` order, so rows are edited before one is appended and before a column goes.
    func apply(to table: inout [[String]]) {
        func column(_ column: DropColumn) -> Int { DropColumn.allCases.firstIndex(of: column)! }
        func lastRow(inYear year: YearGroup) -> Int {
            table.lastIndex { $0[column(.year)] == year.rawValue } ?? table.count - 1
        }
        switch self {
        case .yearSeven:
            table[lastRow(inYear: .year6)][column(.year)] = "7"
        case .badCheckLetter:
            var upn = Array(table[1][column(.upn)])
            upn[0] = upn[0] == "A" ? "B" : "A"
            table[1][column(.upn)] = String(upn)
        case .judgementInReception:
            table[lastRow(inYear: .reception)][column(.reading)] = "EXS"
        case .duplicatedPupil:
            table.append(table[min(2, table.count - 1)])
        case .missingColumn:
            for row in table.indices { table[row].remove(at: column(.send)) }
        }
    }
}
