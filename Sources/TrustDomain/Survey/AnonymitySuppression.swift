/// Decides which cells of a results table to hide so that no group smaller than the threshold
/// can be seen, either directly or by arithmetic on the figures that are shown.
///
/// A table has one row per academy and a last row for the trust, whose cells are the column
/// totals. With `rowTotals`, its last column is each row's total over the other columns (a
/// theme over its questions), so the table is a two-way table with both margins. Sizes are
/// group sizes: respondents, or answers to one question.
///
/// Hiding small cells ("primary" suppression) is not enough: if one academy is hidden and the
/// trust total is shown, the total minus the other academies gives it back. So:
/// 1. Along every column, the hidden academies must be at least two and add up to at least the
///    threshold; otherwise the next smallest academy is hidden too, and when none is left, the
///    total. What subtraction reveals is then a pooled group that could have been published.
/// 2. Along every row of a two-way table, a hidden question hides the row's theme total, and
///    a hidden total hides a question, so no row has exactly one unknown.
/// Why that is enough: in a two-way table every row with a hidden cell has its total hidden,
/// and every total sits in the one total column; every column with a hidden cell has another
/// (rule 1, or a hidden trust total whose row's total is then hidden too).
/// So each hidden cell lies on a rectangle of hidden cells (two academies × its question and
/// the total column), and adding x to two opposite corners while taking x from the other two
/// changes no published sum: no hidden cell is pinned down, and along a column only the pool,
/// of at least the threshold, is. `SurveySuppressionTests` checks this by linear algebra.
/// Cells of size 0 are never hidden and never used as cover: "nobody" reveals no one, and a
/// hidden zero would protect nothing.
public struct SuppressionTable: Sendable, Equatable {
    /// `sizes[r][c]`: academies in rows `0..<count-1`, the trust in the last row.
    public let sizes: [[Int]]
    public let rowTotals: Bool
    public let threshold: Int

    public init(sizes: [[Int]], rowTotals: Bool, threshold: Int) {
        precondition(sizes.count >= 1 && sizes.allSatisfy { $0.count == sizes[0].count },
                     "a suppression table needs rows of equal length")
        self.sizes = sizes
        self.rowTotals = rowTotals
        self.threshold = threshold
    }

    /// `hidden[r][c]` for every cell. Hiding only ever grows, so this terminates.
    public func hidden() -> [[Bool]] {
        var state = Suppressor(self)
        state.run()
        return state.hidden
    }
}

private struct Suppressor {
    let n: [[Int]]
    let threshold: Int
    let rowTotals: Bool
    /// The trust row's index; academies are `0..<trust`.
    let trust: Int
    /// Columns, the total column included.
    let columns: Int
    /// Columns that are not the row total.
    let parts: Int
    var hidden: [[Bool]]

    init(_ table: SuppressionTable) {
        n = table.sizes
        threshold = table.threshold
        rowTotals = table.rowTotals
        trust = table.sizes.count - 1
        columns = table.sizes[0].count
        parts = table.rowTotals ? columns - 1 : columns
        hidden = n.map { $0.map { $0 > 0 && $0 < table.threshold } }
    }

    mutating func run() {
        while applyLineRules() {}
    }

    /// One pass of both rules; true when it hid anything.
    private mutating func applyLineRules() -> Bool {
        var changed = false
        for column in 0..<columns where protectColumn(column) { changed = true }
        if rowTotals {
            for row in 0...trust where protectRow(row) { changed = true }
        }
        return changed
    }

    private mutating func protectColumn(_ c: Int) -> Bool {
        var rows = (0..<trust).filter { hidden[$0][c] }
        guard !rows.isEmpty || hidden[trust][c] else { return false }
        var changed = false
        while rows.count < 2 || rows.reduce(0, { $0 + n[$1][c] }) < threshold {
            guard let r = cover(inColumn: c) else {
                if !hidden[trust][c] { hidden[trust][c] = true; changed = true }
                break
            }
            hidden[r][c] = true
            rows.append(r)
            changed = true
        }
        return changed
    }

    private mutating func protectRow(_ r: Int) -> Bool {
        let total = parts
        let hiddenParts = (0..<parts).contains { hidden[r][$0] }
        if hiddenParts && !hidden[r][total] {
            hidden[r][total] = true
            return true
        }
        if !hiddenParts && hidden[r][total], let c = cover(inRow: r) {
            hidden[r][c] = true
            return true
        }
        return false
    }

    /// The academy to hide as cover in a column: preferably one whose row already has hidden
    /// cells (its row is protected already, so nothing new opens up), then the smallest.
    private func cover(inColumn c: Int) -> Int? {
        (0..<trust).filter { !hidden[$0][c] && n[$0][c] > 0 }
            .min { key(touched: rowTouched($0), size: n[$0][c], $0) < key(touched: rowTouched($1), size: n[$1][c], $1) }
    }

    private func cover(inRow r: Int) -> Int? {
        (0..<parts).filter { !hidden[r][$0] && n[r][$0] > 0 }
            .min { key(touched: columnTouched($0), size: n[r][$0], $0) < key(touched: columnTouched($1), size: n[r][$1], $1) }
    }

    private func key(touched: Bool, size: Int, _ index: Int) -> (Int, Int, Int) { (touched ? 0 : 1, size, index) }
    private func rowTouched(_ r: Int) -> Bool { rowTotals && hidden[r].contains(true) }
    private func columnTouched(_ c: Int) -> Bool { (0...trust).contains { hidden[$0][c] } }
}
