/// Names inside a dataset cache folder, shared by the writer (`DatasetPreparer`) and the
/// readers (`DatasetCache`).
///
/// A cache folder holds `images.h5`, `manifest.json` and, for a source folder,
/// `source-listing.json` (`SourceListing`). The HDF5 file has:
/// - `images`: uint8 [N, S, S, 3] (S = size + margin), one gzip-compressed chunk per image;
/// - `labels`: int64 [N], 0-based class ids; `split`: uint8 [N] (0 train, 1 validation, 2 test);
/// - `files`: [N] source names; `class_names`: [K];
/// - root attributes: `format`, `version`, `size`, `margin`, `stored_size`, `source`,
///   `source_path`, `count`, `train_count`, `validation_count`, `test_count`, `class_count`.
public enum DatasetCacheLayout {
    public static let imagesFile = "images.h5"
    public static let manifestFile = "manifest.json"
    public static let sourceListingFile = "source-listing.json"
    public static let formatName = "fmf-image-cache"
    public static let formatVersion = 1
    /// Image sides a cache can be made for (the networks halve them several times).
    public static let supportedSizes = [32, 64, 128, 256]

    static let images = "images"
    static let labels = "labels"
    static let split = "split"
    static let files = "files"
    static let classNames = "class_names"
}
