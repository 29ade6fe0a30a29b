/// Cells of CSV files the system writes for people to open in a spreadsheet. A value starting
/// with `=`, `+`, `-`, `@` (or a tab or carriage return) would run as a formula there, so such
/// a value gets a leading apostrophe, which spreadsheets show as text; quoting follows RFC 4180.
public enum CSVText {
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func line(_ values: [String]) -> String {
        values.map(cell).joined(separator: ",") + "\r\n"
    }
}
