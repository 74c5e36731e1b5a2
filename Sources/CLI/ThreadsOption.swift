import ArgumentParser
import Pipeline

/// The global `--threads N` option. Its value is read from the raw arguments before parsing
/// (see `BLASProcessSetup`), because OpenBLAS must get it before it loads; declaring it here
/// lets the parser accept it in any position and lists it in `--help`.
struct ThreadsOption: ParsableArguments {
    @Option(
        name: .customLong("threads"),
        help:
            "Threads for OpenBLAS and parallel loops (default: $FMF_THREADS, $OPENBLAS_NUM_THREADS, or the number of cores)."
    )
    var threads: Int?
}
