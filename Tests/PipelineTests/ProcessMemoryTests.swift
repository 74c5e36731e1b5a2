import Foundation
import Pipeline
import XCTest

final class ProcessMemoryTests: XCTestCase {
    func testStatusFieldParsing() {
        let status = "Name:\tpipeline\nVmPeak:\t  300000 kB\nVmHWM:\t   84660 kB\nVmRSS:\t   80000 kB\nThreads:\t3\n"
        XCTAssertEqual(ProcessMemory.statusField("VmHWM", in: status), 84660 * 1024)
        XCTAssertEqual(ProcessMemory.statusField("VmRSS", in: status), 80000 * 1024)
        XCTAssertEqual(ProcessMemory.statusField("Threads", in: status), 3)
        XCTAssertNil(ProcessMemory.statusField("VmSwap", in: status))
        XCTAssertNil(ProcessMemory.statusField("Name", in: status))
        XCTAssertNil(ProcessMemory.statusField("VmHWM", in: "VmHWM:\t12 MB\n"))
    }

    func testPeakIsAtLeastTheCurrentResidentSize() throws {
        guard let peak = ProcessMemory.peakResidentBytes(), let resident = ProcessMemory.residentBytes() else {
            throw XCTSkip("/proc/self/status is not available on this system")
        }
        XCTAssertGreaterThan(resident, 1024 * 1024)
        XCTAssertGreaterThanOrEqual(peak, resident)
    }
}
