import TensorCore
import XCTest

final class BLASRuntimeTests: XCTestCase {
    func testCoreNameAndConfigComeFromOpenBLAS() {
        XCTAssertFalse(BLASRuntime.coreName.isEmpty)
        XCTAssertNotEqual(BLASRuntime.coreName, "unknown")
        XCTAssertTrue(BLASRuntime.config.hasPrefix("OpenBLAS"), BLASRuntime.config)
        // The configuration names the kernels in use (DYNAMIC_ARCH builds append the core).
        if BLASRuntime.config.contains("DYNAMIC_ARCH") {
            XCTAssertTrue(BLASRuntime.config.contains(BLASRuntime.coreName), BLASRuntime.config)
        }
    }

    func testConfigureSetsOpenBLASAndSwiftThreads() {
        let before = BLASRuntime.configuredThreads
        defer { BLASRuntime.configure(threads: before) }

        // The loops' own count is the one they read (`ComputeThreads.count`), not only the setting.
        BLASRuntime.configure(threads: 1)
        XCTAssertEqual(BLASRuntime.threads, 1)
        XCTAssertEqual(BLASRuntime.configuredThreads, 1)
        XCTAssertEqual(ComputeThreads.count, 1)

        BLASRuntime.configure(threads: 2)
        XCTAssertEqual(BLASRuntime.threads, 2)
        XCTAssertEqual(BLASRuntime.configuredThreads, 2)
        XCTAssertEqual(ComputeThreads.count, 2)

        BLASRuntime.configure(threads: 0)
        XCTAssertEqual(BLASRuntime.threads, 1)
        XCTAssertEqual(BLASRuntime.configuredThreads, 1)
        XCTAssertEqual(ComputeThreads.count, 1)
    }

    func testThreadsSetterAloneLeavesTheSwiftSetting() {
        let before = BLASRuntime.configuredThreads
        let blasBefore = BLASRuntime.threads
        defer {
            BLASRuntime.threads = blasBefore
            BLASRuntime.configure(threads: before)
        }
        BLASRuntime.configure(threads: 2)
        BLASRuntime.threads = 1
        XCTAssertEqual(BLASRuntime.threads, 1)
        XCTAssertEqual(BLASRuntime.configuredThreads, 2)
    }
}
