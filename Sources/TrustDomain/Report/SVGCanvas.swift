/// A minimal SVG writer for the report's charts: shapes with CSS classes (the page's style
/// sheet colours them), coordinates rounded to a tenth so the markup stays small, and every
/// piece of text escaped. Charts are static pictures; the page carries no script.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var parts: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    enum Anchor: String {
        case start, middle, end
    }

    mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start,
                       class name: String = "t") {
        parts.append("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor.rawValue)\" class=\"\(name)\">\(HTMLText.escaped(text))</text>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       class name: String) {
        parts.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" class=\"\(name)\"/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, class name: String) {
        parts.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(width, 0)))\" height=\"\(n(height))\" class=\"\(name)\"/>")
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], class name: String) {
        guard points.count > 1 else { return }
        let list = points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        parts.append("<polyline points=\"\(list)\" class=\"\(name)\"/>")
    }

    /// Markers differ in shape as well as colour so lines can be told apart in black and white.
    enum Marker {
        case circle, square, triangle, diamond
    }

    mutating func marker(_ shape: Marker, x: Double, y: Double, size: Double = 3.2,
                         class name: String) {
        let s = size
        switch shape {
        case .circle:
            parts.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(s))\" class=\"\(name)\"/>")
        case .square:
            rect(x: x - s, y: y - s, width: 2 * s, height: 2 * s, class: name)
        case .triangle:
            polygon([(x, y - s * 1.2), (x + s * 1.1, y + s * 0.9), (x - s * 1.1, y + s * 0.9)],
                    class: name)
        case .diamond:
            polygon([(x, y - s * 1.3), (x + s * 1.1, y), (x, y + s * 1.3), (x - s * 1.1, y)],
                    class: name)
        }
    }

    private mutating func polygon(_ points: [(Double, Double)], class name: String) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        parts.append("<polygon points=\"\(list)\" class=\"\(name)\"/>")
    }

    /// `label` is the chart's accessible name, read out instead of the shapes.
    func svg(label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(HTMLText.escaped(label))\"><title>\(HTMLText.escaped(label))</title>"
            + parts.joined() + "</svg>"
    }

    /// One decimal at most: `12`, `12.5`, `-3.2`.
    private func n(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let whole = "\(tenths.magnitude / 10)"
        let sign = tenths < 0 ? "-" : ""
        return tenths % 10 == 0 ? sign + whole : "\(sign)\(whole).\(tenths.magnitude % 10)"
    }
}
