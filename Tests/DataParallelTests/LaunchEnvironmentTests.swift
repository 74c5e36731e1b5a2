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
}
