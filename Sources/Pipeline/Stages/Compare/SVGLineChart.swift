import Foundation

/// One named line of an `SVGLineChart`. Non-finite points (NaN, ±∞) are not drawn; they break
/// the line, so a gap in the data shows as a gap in the chart.
public struct ChartSeries: Equatable, Sendable {
    public var name: String
    public var points: [ChartPoint]
    /// Any SVG colour ("#1f77b4").
    public var color: String
    /// Drawn dashed: a reference level rather than a measurement over time.
    public var dashed: Bool

    public init(name: String, points: [ChartPoint], color: String, dashed: Bool = false) {
        self.name = name
        self.points = points
        self.color = color
        self.dashed = dashed
    }
}

public struct ChartPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
    var isFinite: Bool { x.isFinite && y.isFinite }
}

/// A small line chart as a self-contained SVG document: axes with "nice" ticks, axis labels, a
/// title, a legend and one line per series. Runs of two or more finite points become a
/// `<polyline>`, a lone finite point a `<circle>`, so every finite point is drawn exactly once.
/// The project draws its own charts so that reports need no plotting library.
public struct SVGLineChart: Equatable, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    /// Shown in the plot area when no series has a finite point.
    public var emptyMessage = "no data"
    public var width = 640.0
    public var height = 360.0

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The SVG document (UTF-8 text, with an XML declaration).
    public func svg() -> String {
        // The legend: as many entries per row as fit, 200 px each; each extra row lifts the plot.
        let legendColumns = max(1, Int((width - 70) / 200))
        let legendRows = max(1, (series.count + legendColumns - 1) / legendColumns)
        let plot = (left: 70.0, right: width - 20, top: 40.0, bottom: height - 70 - Double(legendRows - 1) * 18)
        let finite = series.flatMap { $0.points.filter(\.isFinite) }
        var out = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
                + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>",
            "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>",
        ]
        let xs = ChartAxis(values: finite.map(\.x)), ys = ChartAxis(values: finite.map(\.y))
        func px(_ x: Double) -> Double { plot.left + (x - xs.lower) / (xs.upper - xs.lower) * (plot.right - plot.left) }
        func py(_ y: Double) -> Double {
            plot.bottom - (y - ys.lower) / (ys.upper - ys.lower) * (plot.bottom - plot.top)
        }

        // Grid lines and tick labels first, so the data is drawn over them.
        if !finite.isEmpty {
            for tick in xs.ticks {
                let x = f(px(tick))
                out.append(
                    "<line x1=\"\(x)\" y1=\"\(f(plot.top))\" x2=\"\(x)\" y2=\"\(f(plot.bottom))\" stroke=\"#e5e5e5\"/>")
                out.append(
                    "<text x=\"\(x)\" y=\"\(f(plot.bottom + 16))\" text-anchor=\"middle\">\(xs.label(tick))</text>")
            }
            for tick in ys.ticks {
                let y = f(py(tick))
                out.append(
                    "<line x1=\"\(f(plot.left))\" y1=\"\(y)\" x2=\"\(f(plot.right))\" y2=\"\(y)\" stroke=\"#e5e5e5\"/>")
                out.append(
                    "<text x=\"\(f(plot.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(ys.label(tick))</text>"
                )
            }
        }
        out.append(
            "<line x1=\"\(f(plot.left))\" y1=\"\(f(plot.bottom))\" x2=\"\(f(plot.right))\" y2=\"\(f(plot.bottom))\" stroke=\"black\"/>"
        )
        out.append(
            "<line x1=\"\(f(plot.left))\" y1=\"\(f(plot.top))\" x2=\"\(f(plot.left))\" y2=\"\(f(plot.bottom))\" stroke=\"black\"/>"
        )
        out.append(
            "<text x=\"\(f((plot.left + plot.right) / 2))\" y=\"\(f(plot.bottom + 36))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>"
        )
        out.append(
            "<text x=\"16\" y=\"\(f((plot.top + plot.bottom) / 2))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 \(f((plot.top + plot.bottom) / 2)))\">\(Self.escape(yLabel))</text>")
        if finite.isEmpty {
            out.append(
                "<text x=\"\(f((plot.left + plot.right) / 2))\" y=\"\(f((plot.top + plot.bottom) / 2))\" "
                    + "text-anchor=\"middle\" fill=\"#777\">\(Self.escape(emptyMessage))</text>")
        }

        for (index, line) in series.enumerated() {
            let color = Self.escape(line.color)
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out.append("<g class=\"series\" data-series=\"\(index)\" data-name=\"\(Self.escape(line.name))\">")
            for run in Self.finiteRuns(line.points) {
                if run.count == 1 {
                    out.append(
                        "<circle cx=\"\(f(px(run[0].x)))\" cy=\"\(f(py(run[0].y)))\" r=\"3.5\" fill=\"\(color)\"/>")
                } else {
                    let coordinates = run.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                    out.append(
                        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(dash) points=\"\(coordinates)\"/>"
                    )
                }
            }
            out.append("</g>")
            // Legend, below the x-axis label: `legendColumns` entries per row, the last row lowest.
            let lx = plot.left + Double(index % legendColumns) * 200
            let ly = height - 14 - Double(legendRows - 1 - index / legendColumns) * 18
            out.append(
                "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"\(dash)/>"
            )
            out.append(
                "<text x=\"\(f(lx + 30))\" y=\"\(f(ly))\" dominant-baseline=\"middle\">\(Self.escape(line.name))</text>"
            )
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The maximal runs of consecutive finite points.
    static func finiteRuns(_ points: [ChartPoint]) -> [[ChartPoint]] {
        var runs: [[ChartPoint]] = [], current: [ChartPoint] = []
        for point in points {
            if point.isFinite {
                current.append(point)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// Text made safe for XML character data and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// The range and ticks of one axis: 1, 2 or 5 times a power of ten, about five ticks, the
/// range widened to whole ticks.
struct ChartAxis {
    let lower: Double, upper: Double, step: Double
    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...max(count, 0)).map { lower + Double($0) * step }
    }

    init(values: [Double]) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-12 * max(abs(low), abs(high), 1) {
            // A flat series: a range around the value, so the line sits in the middle.
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        self.step = step
        lower = floor(low / step) * step
        upper = max(ceil(high / step) * step, lower + step)
    }

    /// A tick label with as many decimals as the step needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, min(6, -Int(floor(log10(step)))))
        let text = String(format: "%.\(decimals)f", abs(value) < step * 1e-6 ? 0 : value)
        return text
    }
}
