/// Datasets module.
