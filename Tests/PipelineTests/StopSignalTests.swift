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
        let notified = expectation(description: "first-signal callback")
        stop.install(signals: [SIGUSR2]) { signal in
            XCTAssertEqual(signal, SIGUSR2)
            notified.fulfill()
        }
        defer { stop.uninstall() }
        XCTAssertEqual(kill(getpid(), SIGUSR2), 0)
        wait(for: [notified], timeout: 5)
        XCTAssertTrue(stop.stopRequested)
        XCTAssertEqual(stop.signalReceived, SIGUSR2)
    }

    func testStoppingMessageNamesTheSignal() {
        XCTAssertTrue(StopSignal.stoppingMessage(for: SIGINT).contains("interrupt"))
        XCTAssertTrue(StopSignal.stoppingMessage(for: SIGTERM).contains("termination"))
        XCTAssertTrue(StopSignal.stoppingMessage(for: SIGINT).contains("Ctrl-C again"))
    }
}
