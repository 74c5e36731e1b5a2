/// Datasets: the data layer of flow-matching-flowers.
///
/// - `Catalog/`: `DatasetSource` (Oxford Flowers 102, image folders, synthetic flowers) and the
///   `DatasetCatalog` each makes: items with labels, subsets and a way to load their pixels.
/// - `Cache/`: `DatasetPreparer`, which decodes, resizes and crops a catalog into the HDF5 image
///   cache with its `DatasetManifest` (see `DatasetCacheLayout`).
/// - `Loader/`: `DatasetCache` (reading a cache), `TrainingLoader` (shuffled, augmented, prefetched,
///   resumable batches) and `SequentialReader` (every image in order, for evaluation and encoding).
/// - `Synthetic/`: `SyntheticFlowers`, the embedded procedural dataset (no download needed).
/// - `Transforms/`: anti-aliased resampling, centre and random resized crops, flips,
///   and conversion between RGB8 images and float NCHW batches.
/// - `Splits/`: deterministic train/validation/test splits and the image folder scanner.
/// - `Fetch/`: the Oxford Flowers 102 downloader (MD5, HTTP range resume, gzip + tar unpacking).
public enum DatasetsModule {}
