/// Datasets: the data layer of flow-matching-flowers.
///
/// - `Synthetic/`: `SyntheticFlowers`, the embedded procedural dataset (no download needed).
/// - `Transforms/`: anti-aliased resampling, centre and random resized crops, flips,
///   and conversion between RGB8 images and float NCHW batches.
/// - `Splits/`: deterministic train/validation/test splits and the image folder scanner.
/// - `Fetch/`: the Oxford Flowers 102 downloader (MD5, HTTP range resume, gzip + tar unpacking).
public enum DatasetsModule {}
