// swift-tools-version:6.1
import PackageDescription

// The fuzz targets of the readers, as a package of their own beside the project's.
//
// Why a separate package: a libFuzzer target has no `main` (libFuzzer supplies it) and must be
// compiled, with everything it calls, under `-sanitize=fuzzer,address`. Inside the project's
// Package.swift such targets would break the normal `swift build` (no entry point) or need
// unsafe flags on every target. Here `Scripts/fuzz.sh` builds this package alone with
// `swift build --sanitize=fuzzer --sanitize=address` in its own build folder, and the project's
// builds never see it. It depends on the project by path, through the library products
// FileFormats, Datasets and Pipeline.
//
// One executable target per reader, one small Swift file each, named `fuzz-<target>`.

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "flow-matching-flowers") },
        path: "Targets/\(name)")
}

let package = Package(
    name: "fmf-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "flow-matching-flowers", path: "..")
    ],
    targets: [
        // The contract every target checks, temporary files and the tar sandbox.
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "FileFormats", package: "flow-matching-flowers"),
                .product(name: "Datasets", package: "flow-matching-flowers"),
            ]),
        fuzzTarget("safetensors", ["FileFormats"]),
        fuzzTarget("png", ["FileFormats"]),
        fuzzTarget("jpeg", ["FileFormats"]),
        fuzzTarget("dataset-cache", ["FileFormats", "Datasets"]),
        fuzzTarget("latent-cache", ["FileFormats", "Pipeline"]),
        fuzzTarget("mat", ["FileFormats", "Datasets"]),
        fuzzTarget("tar", ["FileFormats", "Datasets"]),
        fuzzTarget("gzip", ["FileFormats", "Datasets"]),
        fuzzTarget("run-config", ["Pipeline"]),
        fuzzTarget("stage-manifest", ["FileFormats", "Datasets", "Pipeline"]),
        fuzzTarget("run-ledger", ["FileFormats", "Pipeline"]),
        // Writes the seed corpora (`Scripts/fuzz.sh seeds`); built without the sanitizers.
        .executableTarget(
            name: "make-seeds",
            dependencies: [
                "FuzzSupport", .product(name: "FileFormats", package: "flow-matching-flowers"),
                .product(name: "Datasets", package: "flow-matching-flowers"),
            ],
            path: "Seeds/make-seeds"),
    ],
    swiftLanguageModes: [.v5]
)
