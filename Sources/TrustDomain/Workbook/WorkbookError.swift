/// Why a workbook (.xlsx) cannot be read. Messages say where (a part of the zip, or a sheet's
/// cell as Excel names it, `Sheet1!F7`) and what to do, because the person fixing it only has
/// Excel: they can save again, remove a password or clear a cell, never edit the zip.
public struct WorkbookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `Sheet1!F7`, `Sheet1 row 12`, or nil when the problem is the file as a whole.
    public let place: String?
    public let reason: String

    public init(place: String? = nil, _ reason: String) {
        self.place = place
        self.reason = reason
    }

    public var description: String { place.map { "\($0): \(reason)" } ?? reason }

    static func damaged(_ detail: String) -> WorkbookError {
        WorkbookError("the workbook is damaged or incomplete (\(detail)); download it or save it from Excel again")
    }

    static func xml(_ part: String, _ detail: String) -> WorkbookError {
        WorkbookError("the workbook's part \(part) is not readable: \(detail)")
    }

    static let encrypted = WorkbookError(
        "the workbook is protected with a password (encrypted); in Excel choose File > Info > Protect Workbook > "
            + "Encrypt with Password, clear the password, save, and send it again")
    static let legacyExcel = WorkbookError(
        "the file is an Excel 97-2003 workbook (.xls); save it as Excel Workbook (.xlsx) or CSV UTF-8 (Comma delimited)")
    static let openDocument = WorkbookError(
        "the file is an OpenDocument spreadsheet (.ods); save it as Excel Workbook (.xlsx) or CSV UTF-8 (Comma delimited)")
}
