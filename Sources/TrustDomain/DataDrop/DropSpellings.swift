/// The other spellings academies' own systems export for the data-drop codes, each mapped to
/// its code. Exact codes are matched first by the types' own `init(code:)` switches; only a
/// value that is not a code comes here, so the common case costs nothing extra. Anything not
/// listed is still an error naming the line, column and value. The list is documented in
/// `DATA-DROP-FILE.md`; keep the two in step.
enum DropSpellings {
    /// Lower case, with runs of spaces, hyphens, underscores and full stops read as one space:
    /// "Year 3", "year-3" and "YEAR  3" are one spelling.
    static func normalised(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar == " " || scalar == "-" || scalar == "_" || scalar == "." || scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let years: [String: YearGroup] = {
        var table: [String: YearGroup] = [
            "nursery": .nursery, "nur": .nursery, "reception": .reception, "rec": .reception,
            "yr r": .reception, "year r": .reception,
        ]
        for year in YearGroup.assessed {
            for prefix in ["y", "yr", "y ", "yr ", "year "] { table[prefix + year.rawValue] = year }
        }
        return table
    }()

    static let judgements: [String: Judgement] = [
        "below": .blw, "below expected": .blw, "below the expected standard": .blw,
        "working towards": .wts, "working towards the expected standard": .wts, "wt": .wts,
        "expected": .exs, "expected standard": .exs, "working at the expected standard": .exs, "ex": .exs,
        "greater depth": .gds, "greater depth within the expected standard": .gds, "gd": .gds,
        "working at greater depth": .gds,
    ]

    static let genders: [String: Gender] = ["female": .female, "male": .male]

    static let send: [String: SENDStatus] = [
        "none": .none, "no sen": .none, "no send": .none,
        "sen support": .senSupport, "send support": .senSupport,
        "ehcp": .ehcPlan, "ehc plan": .ehcPlan, "education health and care plan": .ehcPlan,
    ]

    static let yesNo: [String: Bool] = ["yes": true, "no": false]

    /// Header spellings of the contract's columns ("Reading target" for `reading_target`).
    static func column(_ header: String) -> DropColumn? {
        DropColumn(rawValue: normalised(header).replacingOccurrences(of: " ", with: "_"))
    }

    /// Name columns a management-information export carries. The trust never stores a pupil's
    /// name, so these are dropped as the file is read rather than refusing the file.
    static let nameColumns: Set<String> = [
        "name", "names", "pupil name", "full name", "forename", "forenames", "surname", "first name",
        "firstname", "last name", "lastname", "middle name", "middle names", "legal forename",
        "legal surname", "legal forenames", "legal name", "preferred forename", "preferred surname",
        "preferred name", "known as",
    ]

    static func isNameColumn(_ header: String) -> Bool { nameColumns.contains(normalised(header)) }
}
