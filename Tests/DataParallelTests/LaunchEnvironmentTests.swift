import DataParallel
import XCTest

final class LaunchEnvironmentTests: XCTestCase {
    func testAPlainProcessLoadsNoMPI() throws {
        XCTAssertEqual(LaunchEnvironment.detect(["PATH": "/bin"]), .singleProcess)
        XCTAssertNil(try DataParallelGroup.fromEnvironment(["HOME": "/tmp"]))
    }

    func testEveryLauncherIsRecognisedAndTheLibraryCanBeNamed() {
        for variable in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"] {
            XCTAssertEqual(
                LaunchEnvironment.detect([variable: "2"]),
                .mpi(variable: variable, library: LaunchEnvironment.defaultLibrary))
        }
        XCTAssertEqual(
            LaunchEnvironment.detect(["PMI_SIZE": "2", "FMF_MPI_LIBRARY": "libmpi-custom.so"]),
            .mpi(variable: "PMI_SIZE", library: "libmpi-custom.so"))
    }

    /// What `train-ae --evaluate-only` reads to run on rank 0 alone without starting MPI.
    func testTheLaunchedRankComesFromTheLaunchersVariable() {
        XCTAssertNil(LaunchEnvironment.launchedRank(["OMPI_COMM_WORLD_RANK": "1"]), "no launcher, no rank")
        XCTAssertEqual(LaunchEnvironment.launchedRank(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"]), 1)
        XCTAssertEqual(LaunchEnvironment.launchedRank(["PMIX_RANK": "0"]), 0)
        XCTAssertEqual(LaunchEnvironment.launchedRank(["PMI_SIZE": "3", "PMI_RANK": "2"]), 2)
        XCTAssertNil(LaunchEnvironment.launchedRank(["PMI_SIZE": "3"]), "launched, but no rank given")
    }
}
