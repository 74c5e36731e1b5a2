import Foundation
import Pipeline
import XCTest

#if canImport(FoundationXML)
    import FoundationXML  // XMLParser lives here on Linux
#endif

/// The report's chart writer: well-formed SVG, every finite point drawn once, gaps for NaN.
final class SVGLineChartTests: XCTestCase {
    /// Collects what the tests check from an SVG document while XMLParser checks it is well formed.
    final class Inspector: NSObject, XMLParserDelegate {
        var polylinePoints: [String: Int] = [:]
        var polylines: [String: Int] = [:]
        var circles: [String: Int] = [:]
        var texts: [String] = []
        private var series: String?
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if name == "g" { series = attributes["data-name"] }
            if name == "text" { text = "" }
            guard let series else { return }
            if name == "polyline" {
                polylines[series, default: 0] += 1
                polylinePoints[series, default: 0] += (attributes["points"] ?? "").split(separator: " ").count
            }
            if name == "circle" { circles[series, default: 0] += 1 }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "g" { series = nil }
            if name == "text" { texts.append(text) }
        }

        func drawnPoints(_ name: String) -> Int { polylinePoints[name, default: 0] + circles[name, default: 0] }
    }

    func inspect(_ chart: SVGLineChart, file: StaticString = #filePath, line: UInt = #line) throws -> Inspector {
        let parser = XMLParser(data: Data(chart.svg().utf8))
        let inspector = Inspector()
        parser.delegate = inspector
        XCTAssertTrue(
            parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        return inspector
    }

    func testTwoSeriesAreDrawnWithEveryPointAxesAndLegend() throws {
        let a = (0..<25).map { ChartPoint(x: Double($0) * 0.5, y: 1 / Double($0 + 1)) }
        let b = (0..<7).map { ChartPoint(x: Double($0) * 2, y: 0.3 + 0.01 * Double($0)) }
        let chart = SVGLineChart(
            title: "Loss <train> & more", xLabel: "minutes", yLabel: "loss",
            series: [
                ChartSeries(name: "latent", points: a, color: "#1f77b4"),
                ChartSeries(name: "pixel", points: b, color: "#d62728"),
            ])
        let result = try inspect(chart)
        XCTAssertEqual(result.drawnPoints("latent"), 25)
        XCTAssertEqual(result.drawnPoints("pixel"), 7)
        XCTAssertEqual(result.polylines["latent"], 1)
        XCTAssertTrue(
            result.texts.contains("Loss <train> & more"), "the title is escaped and read back: \(result.texts)")
        XCTAssertTrue(result.texts.contains("latent") && result.texts.contains("pixel"), "legend")
        XCTAssertTrue(result.texts.contains("minutes") && result.texts.contains("loss"), "axis labels")
        XCTAssertTrue(result.texts.contains("0") && result.texts.contains("10"), "x ticks cover 0…12: \(result.texts)")
    }

    /// Reference levels are dashed, line and legend alike; a legend too wide for one row wraps
    /// without entries on top of each other.
    func testDashedSeriesAndALegendThatWraps() throws {
        let line = (0..<5).map { ChartPoint(x: Double($0), y: 40 - Double($0)) }
        let level = [ChartPoint(x: 0, y: 30), ChartPoint(x: 4, y: 30)]
        let chart = SVGLineChart(
            title: "SWD", xLabel: "minutes", yLabel: "SWD",
            series: [
                ChartSeries(name: "latent", points: line, color: "#1f77b4"),
                ChartSeries(name: "pixel", points: line.map { ChartPoint(x: $0.x, y: $0.y + 5) }, color: "#d62728"),
                ChartSeries(name: "latent: real images (floor)", points: level, color: "#1f77b4", dashed: true),
                ChartSeries(name: "pixel: real images (floor)", points: level, color: "#d62728", dashed: true),
            ])
        let svg = chart.svg()
        XCTAssertEqual(
            svg.components(separatedBy: "stroke-dasharray").count - 1, 4, "two lines and their two legend marks")
        XCTAssertTrue(XMLParser(data: Data(svg.utf8)).parse())
        let legend = try NSRegularExpression(pattern: #"<text x="([0-9.]+)" y="([0-9.]+)" dominant-baseline="middle">"#)
        let places = legend.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            (0..<2).map { String(svg[Range(match.range(at: $0 + 1), in: svg)!]) }.joined(separator: ",")
        }
        XCTAssertEqual(places.count, 4)
        XCTAssertEqual(Set(places).count, 4, "every legend entry in its own place: \(places)")
        XCTAssertTrue(
            places.allSatisfy { Double($0.split(separator: ",")[0])! < chart.width - 100 },
            "inside the chart: \(places)")
    }

    func testNaNBreaksTheLineAndLonePointsAreCircles() throws {
        let points = [1.0, 2, .nan, 3, .infinity, 4, 5, 6].enumerated().map {
            ChartPoint(x: Double($0.offset), y: $0.element)
        }
        let single = [ChartPoint(x: 3, y: 2)]
        let result = try inspect(
            SVGLineChart(
                title: "t", xLabel: "x", yLabel: "y",
                series: [
                    ChartSeries(name: "gappy", points: points, color: "red"),
                    ChartSeries(name: "one", points: single, color: "blue"),
                ]))
        XCTAssertEqual(result.polylines["gappy"], 2, "runs [1, 2] and [4, 5, 6]")
        XCTAssertEqual(result.circles["gappy"], 1, "the lone 3 between two gaps")
        XCTAssertEqual(result.drawnPoints("gappy"), 6)
        XCTAssertEqual(result.drawnPoints("one"), 1)
        XCTAssertFalse(
            SVGLineChart(
                title: "t", xLabel: "x", yLabel: "y",
                series: [ChartSeries(name: "gappy", points: points, color: "red")]
            ).svg().lowercased()
                .replacingOccurrences(of: "dominant-baseline", with: "").contains("nan"), "no NaN coordinate is written"
        )
    }

    func testEmptyAndAllNaNSeriesGiveAChartThatSaysSo() throws {
        var chart = SVGLineChart(
            title: "SWD", xLabel: "minutes", yLabel: "SWD",
            series: [
                ChartSeries(name: "latent", points: [], color: "red"),
                ChartSeries(name: "pixel", points: [ChartPoint(x: .nan, y: 1)], color: "blue"),
            ])
        chart.emptyMessage = "no SWD during training was logged"
        let result = try inspect(chart)
        XCTAssertTrue(result.texts.contains("no SWD during training was logged"))
        XCTAssertEqual(result.drawnPoints("latent") + result.drawnPoints("pixel"), 0)

        // A flat series (all values equal) still gets a proper range.
        let flat = try inspect(
            SVGLineChart(
                title: "flat", xLabel: "x", yLabel: "y",
                series: [
                    ChartSeries(name: "f", points: [ChartPoint(x: 0, y: 2), ChartPoint(x: 1, y: 2)], color: "red")
                ]))
        XCTAssertEqual(flat.drawnPoints("f"), 2)
    }

    func testTrainingCurvesUseTrainSecondsOrJoinTheSessionsOfElapsedSeconds() {
        // elapsed_seconds restarts in a resumed session: 60, 120, then 30 → 150.
        let resumed = TrainingCurves.parse([
            ["step": 50, "loss": 1.0, "elapsed_seconds": 60.0],
            ["step": 100, "loss": 0.8, "elapsed_seconds": 120.0],
            ["step": 150, "loss": 0.7, "elapsed_seconds": 30.0],
            ["step": 200, "loss": Double.nan, "elapsed_seconds": 90.0],
        ])
        XCTAssertFalse(resumed.usesTrainSeconds)
        XCTAssertEqual(resumed.loss.map(\.minutes), [1, 2, 2.5])
        XCTAssertEqual(resumed.loss.map(\.step), [50, 100, 150])
        XCTAssertEqual(resumed.lastMinutes, 2.5)
        XCTAssertTrue(resumed.swd.isEmpty)

        let logged = TrainingCurves.parse([
            ["step": 50, "loss": 1.0, "elapsed_seconds": 70.0, "train_seconds": 60.0],
            ["event": "eval", "step": 50, "train_seconds": 60.0, "swd": [1.0, 2.0], "swd_mean": 1.5],
            ["step": 100, "loss": 0.5, "elapsed_seconds": 10.0, "train_seconds": 120.0],
            ["event": "eval", "step": 100, "train_seconds": 120.0, "swd": [0.5, 1.5], "swd_mean": 1.0],
        ])
        XCTAssertTrue(logged.usesTrainSeconds)
        XCTAssertEqual(logged.loss.map(\.minutes), [1, 2])
        XCTAssertEqual(logged.swd.map(\.value), [1.5, 1.0])
        XCTAssertEqual(logged.swd.map(\.minutes), [1, 2])
    }
}
