import Foundation
import Testing

@testable import TrustDomain

/// A small survey whose every answer is easy to count by hand, and helpers to write exports.
enum SurveyFixture {
    static let json = """
        {
          "id": "pulse-2022",
          "title": "Pulse Survey",
          "audience": "colleagues",
          "academy_question": "Which academy do you work in?",
          "themes": [
            {"id": "wellbeing", "title": "Wellbeing"},
            {"id": "workload", "title": "Workload"},
            {"id": "about", "title": "About you"}
          ],
          "questions": [
            {"id": "cared", "text": "My academy cares about my wellbeing.", "theme": "wellbeing", "type": "likert5"},
            {"id": "balance", "text": "I have a good work-life balance.", "theme": "wellbeing", "type": "likert5"},
            {"id": "manageable", "text": "My workload is manageable.", "theme": "workload", "type": "likert5"},
            {"id": "role", "text": "Which best describes your role?", "theme": "about", "type": "choice",
             "choices": ["Teacher", "Teaching assistant", "Leadership team"], "allow_other": true},
            {"id": "took-part", "text": "Which have you taken part in?", "theme": "wellbeing", "type": "multi",
             "choices": ["Wellbeing day", "Coaching", "Peer review"]},
            {"id": "comments", "text": "Anything else?", "theme": "workload", "type": "text"}
          ]
        }
        """

    static func survey(_ text: String = json) throws -> SurveyDefinition {
        try SurveyDefinition.load(from: Data(text.utf8), file: "test")
    }

    static let header = ["ID", "Start time", "Completion time", "Email", "Name", "Which academy do you work in?",
                         "My academy cares about my wellbeing.", "I have a good work-life balance.",
                         "My workload is manageable.", "Which best describes your role?",
                         "Which have you taken part in?", "Anything else?"]

    /// One export row; `answers` are the six question cells in order.
    static func row(_ id: Int, _ academy: String, _ answers: [String]) -> [String] {
        ["\(id)", "6/6/22 9:00:00", "6/6/22 9:05:00", "person\(id)@example.org", "Person Number\(id)", academy] + answers
    }

    static func csv(_ rows: [[String]], header: [String] = header) -> [UInt8] {
        Array((([header] + rows).map(line).joined()).utf8)
    }

    static func line(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",") + "\r\n"
    }

    /// The problems an export is rejected with, or none.
    static func problems(_ bytes: [UInt8], survey: SurveyDefinition? = nil) throws -> [SurveyProblem] {
        let definition = try survey ?? self.survey()
        let academies = try ConfigFixture.academies()
        do {
            _ = try FormsExport.read(bytes, survey: definition, academies: academies)
            return []
        } catch {
            return error.problems
        }
    }

    static func records(_ bytes: [UInt8]) throws -> [SurveyRecord] {
        try FormsExport.read(bytes, survey: try survey(), academies: try ConfigFixture.academies()).responses.map(\.record)
    }
}

/// An attacker's view of a suppressed table, checked independently of the suppressor's own
/// reasoning: linear algebra over every sum the table publishes.
///
/// Unknowns are the hidden cells; each row and column of the table says its parts add up to
/// its total. A combination of hidden cells can be worked out exactly when its vector lies in
/// the row space of those equations restricted to the unknowns.
struct DisclosureAudit {
    let sizes: [[Int]]
    let hidden: [[Bool]]
    let rowTotals: Bool
    let unknowns: [(Int, Int)]
    let equations: [[Double]]

    init(sizes: [[Int]], hidden: [[Bool]], rowTotals: Bool) {
        self.sizes = sizes
        self.hidden = hidden
        self.rowTotals = rowTotals
        let trust = sizes.count - 1
        let columns = sizes[0].count
        let parts = rowTotals ? columns - 1 : columns
        var unknowns: [(Int, Int)] = []
        for r in 0...trust { for c in 0..<columns where hidden[r][c] { unknowns.append((r, c)) } }
        self.unknowns = unknowns
        func equation(_ cells: [(Int, Int, Double)]) -> [Double] {
            unknowns.map { u in cells.first { $0.0 == u.0 && $0.1 == u.1 }?.2 ?? 0 }
        }
        var equations: [[Double]] = []
        for c in 0..<columns {
            equations.append(equation((0..<trust).map { ($0, c, 1.0) } + [(trust, c, -1.0)]))
        }
        if rowTotals {
            for r in 0...trust {
                equations.append(equation((0..<parts).map { (r, $0, 1.0) } + [(r, parts, -1.0)]))
            }
        }
        self.equations = equations
    }

    func isDetermined(_ vector: [Double]) -> Bool {
        guard vector.contains(where: { $0 != 0 }) else { return false }
        return Self.rank(equations) == Self.rank(equations + [vector])
    }

    /// Hidden cells whose value follows from what is shown.
    var exposedCells: [(Int, Int)] {
        unknowns.indices.filter { i in
            isDetermined(unknowns.indices.map { $0 == i ? 1 : 0 })
        }.map { unknowns[$0] }
    }

    /// Columns whose hidden academies add up to fewer than the threshold, yet whose sum can be
    /// worked out (a pooled group too small to publish).
    func exposedSmallPools(threshold: Int) -> [Int] {
        let trust = sizes.count - 1
        return (0..<sizes[0].count).filter { c in
            let rows = (0..<trust).filter { hidden[$0][c] }
            let pooled = rows.reduce(0) { $0 + sizes[$1][c] }
            guard !rows.isEmpty, pooled < threshold else { return false }
            return isDetermined(unknowns.map { u in u.1 == c && u.0 < trust ? 1 : 0 })
        }
    }

    static func rank(_ matrix: [[Double]]) -> Int {
        var m = matrix
        var rank = 0
        let width = m.first?.count ?? 0
        for column in 0..<width {
            guard let pivot = (rank..<m.count).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                  abs(m[pivot][column]) > 1e-9 else { continue }
            m.swapAt(rank, pivot)
            for r in 0..<m.count where r != rank {
                let f = m[r][column] / m[rank][column]
                if f != 0 { for c in column..<width { m[r][c] -= f * m[rank][c] } }
            }
            rank += 1
        }
        return rank
    }
}
