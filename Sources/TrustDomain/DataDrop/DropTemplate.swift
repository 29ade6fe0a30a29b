/// The ready-to-fill data-drop file `trustctl drop template` writes: the contract's header and
/// one example row per year group, valid for the drop's term (it passes `drop check` as
/// shipped). The UPNs use local-authority code 999, which no authority has, with correct check
/// letters, so the rows are plainly examples yet show what a valid UPN looks like.
public enum DropTemplate {
    public static func csv(term: Term) -> String {
        let summer = term == .summer
        // Per year: judgements and targets (years 1–6), then gld, phonics, mtc.
        let rows: [(YearGroup, String, String, String, String, String, String)] = [
            (.nursery, "F", "N", "N", "N", "", ""),
            (.reception, "M", "Y", "Y", "N", "", ""),
            (.year1, "F", "N", "N", "K", "WTS,EXS,EXS", "EXS,EXS,EXS"),
            (.year2, "M", "Y", "N", "N", "EXS,EXS,GDS", "EXS,EXS,GDS"),
            (.year3, "F", "N", "Y", "N", "EXS,WTS,EXS", "EXS,EXS,EXS"),
            (.year4, "X", "N", "N", "E", "BLW,BLW,WTS", "WTS,WTS,WTS"),
            (.year5, "F", "Y", "N", "N", "GDS,EXS,EXS", "GDS,EXS,GDS"),
            (.year6, "M", "N", "Y", "N", "EXS,EXS,EXS", "EXS,EXS,EXS"),
        ]
        var lines = [DropColumn.header]
        for (index, row) in rows.enumerated() {
            let (year, gender, pp, eal, send, judged, targets) = row
            let gld = year == .reception && summer ? "Y" : ""
            let phonics = year == .year1 && summer ? "34" : ""
            let mtc = year == .year4 && summer ? "21" : ""
            let assessed = year.isAssessed ? [judged, targets] : [",,", ",,"]
            lines.append(([exampleUPN(index), year.rawValue, gender, pp, eal, send] + assessed + [gld, phonics, mtc])
                .joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `999` + `0000` + `21` + a three-digit serial, with its check letter.
    static func exampleUPN(_ serial: Int) -> String {
        let digits = "999000021" + String(100 + serial)
        let letter = UPN.checkLetter(forDigits: Array(digits.utf8)) ?? UInt8(ascii: "A")
        return String(UnicodeScalar(letter)) + digits
    }
}
