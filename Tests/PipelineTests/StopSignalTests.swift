import Foundation
import Pipeline
import XCTest

final class StopSignalTests: XCTestCase {
    func testFirstSignalRequestsAStopAndTheSecondExits() {
        let stop = StopSignal()
        XCTAssertFalse(stop.stopRequested)
        XCTAssertEqual(stop.record(SIGINT), .stopRequested)
        XCTAssertTrue(stop.stopRequested)
        XCTAssertEqual(stop.signalReceived, SIGINT)
        XCTAssertEqual(stop.record(SIGTERM), .exitImmediately)
        XCTAssertEqual(stop.signalReceived, SIGINT)
        stop.reset()
        XCTAssertFalse(stop.stopRequested)
        XCTAssertNil(stop.signalReceived)
        stop.requestStop()
        XCTAssertTrue(stop.stopRequested)
    }

    func testADeliveredSignalRaisesTheFlag() throws {
        // SIGUSR2 stands in for SIGINT: if handling failed, SIGINT would end the test runner.
        let stop = StopSignal()
        stop.install(signals: [SIGUSR2], notice: "")
        defer { stop.uninstall(signals: [SIGUSR2]) }
        XCTAssertEqual(kill(getpid(), SIGUSR2), 0)
        let deadline = Date().addingTimeInterval(5)
        while !stop.stopRequested && Date() < deadline {
            usleep(1000)
        }
        XCTAssertTrue(stop.stopRequested)
        XCTAssertEqual(stop.signalReceived, SIGUSR2)
    }
}
