// swift-tools-version:6.1
import PackageDescription

// Numeric targets are compiled with -Ounchecked in release builds, and on x86-64 with a
// concrete CPU so that Swift's loops vectorise (AVX2/FMA). The manifest is evaluated on
// the host, so `#if arch` here guards the flag for other architectures.
// -fno-math-errno: on Linux `Float.squareRoot()` goes through a C shim that the Clang importer
// otherwise compiles as an errno-setting `sqrtf` call, which keeps loops with a square root
// (Adam, normalisation) from vectorising.
#if arch(x86_64)
    let cpuFlags: [String] = ["-target-cpu", "haswell"]
#else
    let cpuFlags: [String] = []
#endif
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo", "-Xcc", "-fno-math-errno"] + cpuFlags, .when(configuration: .release))
]
let numericCSettings: [CSetting] = [
    .unsafeFlags(["-O3"] + (cpuFlags.isEmpty ? [] : ["-march=haswell"]), .when(configuration: .release))
]

let package = Package(
    name: "flow-matching-flowers",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pipeline", targets: ["CLI"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        // The readers, for the fuzz targets in Fuzz/ (a package of their own, see Fuzz/Package.swift).
        .library(name: "FileFormats", targets: ["FileFormats"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // SHA-256 for artifact digests and MD5 for download checksums (BoringSSL underneath).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // `pipeline serve`: a small HTTP server on sockets, without SwiftNIO (see docs/report.md).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // C libraries (system packages found through pkg-config).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Open MPI, loaded with dlopen only when an MPI launcher started the process: building and
        // single-process runs need no MPI (docs/distributed.md).
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),

        // File formats: PNG, JPEG, HDF5, safetensors, MAT-files, hashes (swift-crypto), atomic writes.
        .target(
            name: "FileFormats",
            dependencies: [
                "CPNG", "CTurboJPEG", "CHDF5", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: numericSettings),
        // Tensors, automatic differentiation, layers, optimizers; OpenBLAS underneath.
        .target(name: "TensorCore", dependencies: ["CBLAS", "FileFormats"], swiftSettings: numericSettings),
        // Data-parallel training over MPI: communicator, gradient buckets, rank 0's decisions.
        .target(name: "DataParallel", dependencies: ["CMPI", "TensorCore"], swiftSettings: numericSettings),
        // Image datasets: Oxford Flowers 102, image folders, synthetic flowers, cache and loader.
        .target(
            name: "Datasets", dependencies: ["FileFormats", "TensorCore", "CZlib"], swiftSettings: numericSettings),
        // Models.
        .target(name: "VQVAE", dependencies: ["TensorCore", "DataParallel"], swiftSettings: numericSettings),
        .target(name: "LatentFlow", dependencies: ["TensorCore", "DataParallel"], swiftSettings: numericSettings),
        // Independent metrics of generated images: SWD, KID, pixel statistics, PSNR/SSIM.
        .target(name: "ImageMetrics", dependencies: ["TensorCore"], swiftSettings: numericSettings),
        // Stages, artifacts, configuration, reporting.
        .target(
            name: "Pipeline",
            dependencies: [
                "FileFormats", "TensorCore", "Datasets", "VQVAE", "LatentFlow", "ImageMetrics", "DataParallel",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: numericSettings),
        // `pipeline serve`: the artifacts folder's reports, read-only, and a live view of a running stage.
        .target(name: "LiveView", dependencies: ["Pipeline", .product(name: "FlyingFox", package: "FlyingFox")]),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Pipeline", "LiveView", "DataParallel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // The shared reference data for tests: a skip when absent, a failure when FMF_REQUIRE_SHARED=1 (CI);
        // and the fixtures tests record from earlier code (FMF_RECORD_FIXTURES=1) and check later code against.
        .target(name: "SharedTestData", path: "Tests/SharedTestData"),
        .testTarget(name: "FileFormatsTests", dependencies: ["FileFormats", "SharedTestData"], exclude: ["Fixtures"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "FileFormats", "SharedTestData"]),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "FileFormats", "TensorCore", "CZlib", "SharedTestData"],
            exclude: ["Fixtures"]),
        .testTarget(name: "VQVAETests", dependencies: ["VQVAE", "SharedTestData"], exclude: ["Fixtures"]),
        .testTarget(name: "LatentFlowTests", dependencies: ["LatentFlow", "SharedTestData"], exclude: ["Fixtures"]),
        // Trains a tiny flow alone or under mpirun, for the equivalence and failure tests of DataParallelTests.
        .executableTarget(
            name: "DataParallelCheck", dependencies: ["DataParallel", "LatentFlow", "TensorCore"],
            swiftSettings: numericSettings),
        .testTarget(
            name: "DataParallelTests",
            dependencies: ["DataParallel", "DataParallelCheck", "LatentFlow", "TensorCore", "VQVAE"]),
        .testTarget(name: "ImageMetricsTests", dependencies: ["ImageMetrics"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"], exclude: ["Fixtures"]),
        .testTarget(name: "LiveViewTests", dependencies: ["LiveView", "Pipeline"]),
    ],
    swiftLanguageModes: [.v5]
)
