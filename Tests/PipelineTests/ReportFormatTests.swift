import Pipeline
import XCTest

final class ReportFormatTests: XCTestCase {
    func testDurations() {
        XCTAssertEqual(ReportFormat.duration(0), "0.0s")
        XCTAssertEqual(ReportFormat.duration(0.43), "0.4s")
        XCTAssertEqual(ReportFormat.duration(12), "12s")
        XCTAssertEqual(ReportFormat.duration(59.4), "59s")
        XCTAssertEqual(ReportFormat.duration(59.6), "1m00s")
        XCTAssertEqual(ReportFormat.duration(185), "3m05s")
        XCTAssertEqual(ReportFormat.duration(3600 + 2 * 60 + 30), "1h02m")
        XCTAssertEqual(ReportFormat.duration(2 * 86400 + 3 * 3600 + 59), "2d03h")
        XCTAssertEqual(ReportFormat.duration(-1), "?")
        XCTAssertEqual(ReportFormat.duration(.infinity), "?")
        XCTAssertEqual(ReportFormat.duration(.nan), "?")
    }

    func testRates() {
        XCTAssertEqual(ReportFormat.rate(12.34), "12.3 it/s")
        XCTAssertEqual(ReportFormat.rate(5.412, unit: "img"), "5.41 img/s")
        XCTAssertEqual(ReportFormat.rate(250.4, unit: "step"), "250 step/s")
        XCTAssertEqual(ReportFormat.rate(12_345), "12.3k it/s")
        XCTAssertEqual(ReportFormat.rate(45_600_000), "45.6M it/s")
        // Slow loops read better as time per item.
        XCTAssertEqual(ReportFormat.rate(0.4), "2.5 s/it")
        XCTAssertEqual(ReportFormat.rate(1.0 / 65), "1m05s/it")
        XCTAssertEqual(ReportFormat.rate(0), "-- it/s")
        XCTAssertEqual(ReportFormat.rate(.nan), "-- it/s")
    }

    /// Parameter counts and rates between a thousand and ten million thousand-units once printed
    /// as "7.31e+03k".
    func testScaledCountsKeepThreeDigitsAtEverySuffix() {
        XCTAssertEqual(ReportFormat.scaled(9_999), "9999")
        XCTAssertEqual(ReportFormat.scaled(12_345), "12.3k")
        XCTAssertEqual(ReportFormat.scaled(999_000), "999k")
        XCTAssertEqual(ReportFormat.scaled(999_600), "1M")
        XCTAssertEqual(ReportFormat.scaled(7_308_228), "7.31M")
        XCTAssertEqual(ReportFormat.scaled(26_765_091), "26.8M")
        XCTAssertEqual(ReportFormat.scaled(3.08e9), "3.08G")
        XCTAssertEqual(ReportFormat.scaled(-2_500_000), "-2.5M")
    }

    func testPercentRoundsDownSoOnlyDoneIsHundred() {
        XCTAssertEqual(ReportFormat.percent(0), "0%")
        XCTAssertEqual(ReportFormat.percent(0.29), "29%")
        XCTAssertEqual(ReportFormat.percent(0.999), "99%")
        XCTAssertEqual(ReportFormat.percent(1), "100%")
        XCTAssertEqual(ReportFormat.percent(1.5), "100%")
        XCTAssertEqual(ReportFormat.percent(-0.2), "0%")
    }

    func testBytesAndNumbers() {
        XCTAssertEqual(ReportFormat.bytes(512), "512 B")
        XCTAssertEqual(ReportFormat.bytes(1536), "1.50 KiB")
        XCTAssertEqual(ReportFormat.bytes(120 * 1024 * 1024), "120 MiB")
        XCTAssertEqual(ReportFormat.bytes(Int(1.23 * 1024 * 1024 * 1024)), "1.23 GiB")
        XCTAssertEqual(ReportFormat.number(0.0123), "0.0123")
        XCTAssertEqual(ReportFormat.number(24.1), "24.1")
        XCTAssertEqual(ReportFormat.number(24.123456), "24.12")
        XCTAssertEqual(ReportFormat.number(.nan), "nan")
    }

    func testFields() {
        XCTAssertEqual(
            ReportFormat.fields([ProgressField("loss", 0.0123), ProgressField("psnr", 24.1)]),
            "loss 0.0123  psnr 24.1")
        XCTAssertEqual(ReportFormat.fields([ProgressField("phase", "warm-up")]), "phase warm-up")
        XCTAssertEqual(ReportFormat.fields([]), "")
    }

    func testBar() {
        XCTAssertEqual(ProgressBar.render(fraction: 0, width: 4), "[    ]")
        XCTAssertEqual(ProgressBar.render(fraction: 0.5, width: 4), "[██  ]")
        XCTAssertEqual(ProgressBar.render(fraction: 1, width: 4), "[████]")
        // 0.6 of 4 cells is 2.4 cells: two full cells and three eighths of the third.
        XCTAssertEqual(ProgressBar.render(fraction: 0.6, width: 4), "[██▍ ]")
        XCTAssertEqual(ProgressBar.render(fraction: 2, width: 3), "[███]")
        XCTAssertEqual(ProgressBar.render(fraction: .nan, width: 3), "[   ]")
        for step in 0...80 {
            let bar = ProgressBar.render(fraction: Double(step) / 80, width: 10)
            XCTAssertEqual(bar.count, 12, bar)
        }
    }
}
