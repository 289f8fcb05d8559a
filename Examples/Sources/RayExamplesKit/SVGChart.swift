import Foundation

/// A line chart as an SVG document: each series a polyline over shared axes, with the axis
/// ranges labelled. Enough for a learning curve (`--plot FILE`), with no plotting library.
public struct SVGChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// One series of values, the first at x = 1: a curve per iteration.
    public static func perIteration(_ values: [Double], title: String, yLabel: String) -> SVGChart {
        SVGChart(title: title, xLabel: "iteration", yLabel: yLabel,
                 series: [Series(name: yLabel, points: values.enumerated().map { (x: Double($0.offset + 1), y: $0.element) })])
    }

    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public var svg: String {
        let (width, height, margin) = (640.0, 400.0, 56.0)
        let all = series.flatMap(\.points)
        let xs = all.map(\.x), ys = all.map(\.y)
        let (xMin, xMax) = (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
        let (yMin, yMax) = (ys.min() ?? 0, max(ys.max() ?? 1, (ys.min() ?? 0) + 1e-9))
        func px(_ x: Double) -> Double { margin + (x - xMin) / (xMax - xMin) * (width - 2 * margin) }
        func py(_ y: Double) -> Double { height - margin - (y - yMin) / (yMax - yMin) * (height - 2 * margin) }
        func format(_ v: Double) -> String { String(format: "%.3g", v) }
        var lines = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(width / 2)" y="20" text-anchor="middle" font-size="14">\#(Self.escape(title))</text>"#,
            #"<line x1="\#(margin)" y1="\#(height - margin)" x2="\#(width - margin)" y2="\#(height - margin)" stroke="black"/>"#,
            #"<line x1="\#(margin)" y1="\#(margin)" x2="\#(margin)" y2="\#(height - margin)" stroke="black"/>"#,
            #"<text x="\#(width / 2)" y="\#(height - 12)" text-anchor="middle">\#(Self.escape(xLabel))</text>"#,
            #"<text x="14" y="\#(height / 2)" text-anchor="middle" transform="rotate(-90 14 \#(height / 2))">\#(Self.escape(yLabel))</text>"#,
            #"<text x="\#(margin)" y="\#(height - margin + 16)" text-anchor="middle">\#(format(xMin))</text>"#,
            #"<text x="\#(width - margin)" y="\#(height - margin + 16)" text-anchor="middle">\#(format(xMax))</text>"#,
            #"<text x="\#(margin - 6)" y="\#(height - margin)" text-anchor="end">\#(format(yMin))</text>"#,
            #"<text x="\#(margin - 6)" y="\#(margin + 4)" text-anchor="end">\#(format(yMax))</text>"#,
        ]
        for (index, line) in series.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let points = line.points.map { "\(format(px($0.x))),\(format(py($0.y)))" }.joined(separator: " ")
            lines.append(#"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(points)"/>"#)
            lines.append(#"<text x="\#(width - margin - 4)" y="\#(margin + 16 * Double(index + 1))" text-anchor="end" fill="\#(color)">\#(Self.escape(line.name))</text>"#)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    public func write(to path: String) throws {
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
