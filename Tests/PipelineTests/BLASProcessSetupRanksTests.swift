import Pipeline
import XCTest

/// Under an MPI launcher the ranks on one host share its cores unless a thread count is given.
final class BLASProcessSetupRanksTests: XCTestCase {
    private func decide(_ environment: [String: String], _ arguments: [String] = [], processors: Int) throws
        -> BLASProcessSettings
    {
        try BLASProcessSetup.decide(
            environment: environment, arguments: arguments, architecture: .arm64,
            processorCount: processors, cpuFlags: nil)
    }

    func testRanksOnOneHostSplitTheCores() throws {
        let settings = try decide(["OMPI_COMM_WORLD_LOCAL_SIZE": "4", "OMPI_COMM_WORLD_SIZE": "8"], processors: 16)
        XCTAssertEqual(settings.threads, 4)
        XCTAssertEqual(settings.threadSource, "processor count / 4 MPI ranks on this host")
        XCTAssertEqual(try decide(["MPI_LOCALNRANKS": "3"], processors: 2).threads, 1, "at least one thread")
    }

    func testAGivenThreadCountWinsAndOneRankKeepsEveryCore() throws {
        XCTAssertEqual(try decide(["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], ["--threads", "3"], processors: 16).threads, 3)
        XCTAssertEqual(try decide(["OMPI_COMM_WORLD_LOCAL_SIZE": "4", "FMF_THREADS": "2"], processors: 16).threads, 2)
        XCTAssertEqual(try decide(["OMPI_COMM_WORLD_LOCAL_SIZE": "1"], processors: 16).threads, 16)
    }
}
