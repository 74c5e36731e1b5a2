import Pipeline
import XCTest

final class BLASProcessSetupTests: XCTestCase {
    let avx2: Set<String> = ["sse2", "avx", "avx2", "fma"]

    private func decide(
        _ environment: [String: String] = [:], _ arguments: [String] = [],
        architecture: CPUArchitecture = .x86_64, processors: Int = 2,
        flags: Set<String>? = nil
    ) throws -> BLASProcessSettings {
        try BLASProcessSetup.decide(
            environment: environment, arguments: arguments, architecture: architecture,
            processorCount: processors, cpuFlags: flags ?? avx2)
    }

    func testEmptyEnvironmentOnX86GetsHaswellTimeoutAndThreadsThenRelaunches() throws {
        let settings = try decide([:], ["bench", "--sgemm"], processors: 6)
        XCTAssertEqual(settings.threads, 6)
        XCTAssertEqual(settings.threadSource, "processor count")
        XCTAssertTrue(settings.needsRelaunch)
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_CORETYPE"], "Haswell")
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_THREAD_TIMEOUT"], "4")
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_NUM_THREADS"], "6")
        XCTAssertEqual(
            settings.variablesToSet[BLASProcessSetup.relaunchMarker],
            "OPENBLAS_CORETYPE,OPENBLAS_NUM_THREADS,OPENBLAS_THREAD_TIMEOUT")
        XCTAssertEqual(settings.warnings, [])
    }

    func testUserSettingsAreKeptAndNothingToDoMeansNoRelaunch() throws {
        let environment = ["OPENBLAS_CORETYPE": "Zen", "OPENBLAS_THREAD_TIMEOUT": "10", "OPENBLAS_NUM_THREADS": "1"]
        let settings = try decide(environment, ["train-ae"], processors: 8)
        XCTAssertEqual(settings.threads, 1)
        XCTAssertEqual(settings.threadSource, "OPENBLAS_NUM_THREADS")
        XCTAssertFalse(settings.needsRelaunch)
        XCTAssertEqual(settings.variablesToSet, [:])
    }

    func testThreadsOptionWinsOverEnvironmentAndUpdatesOpenBLASThreads() throws {
        let environment = [
            "OPENBLAS_CORETYPE": "Zen", "OPENBLAS_THREAD_TIMEOUT": "4",
            "OPENBLAS_NUM_THREADS": "2", "FMF_THREADS": "3",
        ]
        let settings = try decide(environment, ["bench", "--threads", "5", "--sgemm"])
        XCTAssertEqual(settings.threads, 5)
        XCTAssertEqual(settings.threadSource, "--threads")
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_NUM_THREADS"], "5")
        XCTAssertNil(settings.variablesToSet["OPENBLAS_CORETYPE"])
        XCTAssertNil(settings.variablesToSet["OPENBLAS_THREAD_TIMEOUT"])
    }

    func testFMFThreadsWinsOverOpenBLASThreads() throws {
        let settings = try decide(["FMF_THREADS": " 3 ", "OPENBLAS_NUM_THREADS": "2"])
        XCTAssertEqual(settings.threads, 3)
        XCTAssertEqual(settings.threadSource, "FMF_THREADS")
    }

    func testUnreadableOpenBLASThreadsFallsBackToProcessorCount() throws {
        let settings = try decide(["OPENBLAS_NUM_THREADS": "many"], processors: 4)
        XCTAssertEqual(settings.threads, 4)
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_NUM_THREADS"], "4")
    }

    func testMarkerPreventsASecondRelaunch() throws {
        // Even when something still differs (here the thread count), a re-executed process goes on.
        let environment = [BLASProcessSetup.relaunchMarker: "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS": "2"]
        let settings = try decide(environment, ["--threads", "7"])
        XCTAssertEqual(settings.threads, 7)
        XCTAssertFalse(settings.needsRelaunch)
        XCTAssertEqual(BLASProcessSetup.variablesSetByPipeline(environment: environment), ["OPENBLAS_CORETYPE"])
        XCTAssertEqual(BLASProcessSetup.variablesSetByPipeline(environment: [:]), [])
    }

    func testOtherArchitecturesGetNoCoreType() throws {
        let settings = try decide([:], [], architecture: .arm64, flags: ["asimd", "fp"])
        XCTAssertNil(settings.variablesToSet["OPENBLAS_CORETYPE"])
        XCTAssertEqual(settings.variablesToSet["OPENBLAS_THREAD_TIMEOUT"], "4")
    }

    func testX86WithoutAVX2OrUnknownFlagsGetsNoCoreType() throws {
        let old = try decide([:], [], flags: ["sse2", "avx"])
        XCTAssertNil(old.variablesToSet["OPENBLAS_CORETYPE"])
        let unknown = try BLASProcessSetup.decide(
            environment: [:], arguments: [], architecture: .x86_64,
            processorCount: 2, cpuFlags: nil)
        XCTAssertNil(unknown.variablesToSet["OPENBLAS_CORETYPE"])
    }

    func testWarnsAboutAUserCoreTypeTheCPUCannotRun() throws {
        let skylake = try decide(["OPENBLAS_CORETYPE": "SkylakeX"])
        XCTAssertEqual(skylake.warnings.count, 1)
        XCTAssertTrue(skylake.warnings[0].contains("AVX-512"), skylake.warnings[0])
        let withAVX512 = try decide(["OPENBLAS_CORETYPE": "SkylakeX"], flags: avx2.union(["avx512f"]))
        XCTAssertEqual(withAVX512.warnings, [])
        let haswellOnOldCPU = try decide(["OPENBLAS_CORETYPE": "haswell"], flags: ["sse2"])
        XCTAssertEqual(haswellOnOldCPU.warnings.count, 1)
    }

    func testThreadsArgumentForms() throws {
        XCTAssertNil(try BLASProcessSetup.threadsArgument(in: ["bench", "--sgemm"]))
        XCTAssertEqual(try BLASProcessSetup.threadsArgument(in: ["--threads", "2", "bench"]), 2)
        XCTAssertEqual(try BLASProcessSetup.threadsArgument(in: ["bench", "--threads=3"]), 3)
        XCTAssertEqual(try BLASProcessSetup.threadsArgument(in: ["--threads", "2", "bench", "--threads", "4"]), 4)
        // After "--" everything is a positional argument.
        XCTAssertNil(try BLASProcessSetup.threadsArgument(in: ["run", "--", "--threads", "9"]))
    }

    func testMalformedThreadsAreErrorsNamingTheirOrigin() {
        for arguments in [
            ["--threads"], ["--threads", "0"], ["--threads", "two"], ["--threads=-1"], ["--threads", "5000"],
        ] {
            XCTAssertThrowsError(try decide([:], arguments), "\(arguments)") { error in
                XCTAssertTrue(String(describing: error).contains("--threads"), "\(error)")
            }
        }
        XCTAssertThrowsError(try decide(["FMF_THREADS": "lots"])) { error in
            XCTAssertTrue(String(describing: error).contains("FMF_THREADS"), "\(error)")
        }
    }

    func testCPUFeatureFlagsFromCpuinfo() {
        let text = """
            processor\t: 0
            model name\t: AMD EPYC
            flags\t\t: fpu sse2 AVX avx2 fma

            processor\t: 1
            flags\t\t: fpu
            """
        XCTAssertEqual(CPUArchitecture.featureFlags(cpuinfo: text), ["fpu", "sse2", "avx", "avx2", "fma"])
        XCTAssertEqual(CPUArchitecture.featureFlags(cpuinfo: "Features\t: fp asimd\n"), ["fp", "asimd"])
        XCTAssertNil(CPUArchitecture.featureFlags(cpuinfo: "nothing here"))
    }
}
