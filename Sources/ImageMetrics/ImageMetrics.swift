/// ImageMetrics: independent measures of generated and reconstructed images, none of which
/// needs a downloaded network. Every metric takes `ImageSet`s (8-bit RGB, see there for the
/// conversion from network outputs) and is deterministic given its seed.
///
/// - `SlicedWassersteinDistance`: multi-scale SWD on Laplacian-pyramid patches (ProGAN), per
///   level and mean, ×10³; `SlicedWassersteinReference` keeps a reference set's patches.
/// - `KernelDistance`: KID (unbiased polynomial-kernel MMD²) on `ImageStatisticsFeatures`.
/// - `PixelDistributionMetrics`: Jensen–Shannon divergence, 1-D Wasserstein distance and RBF MMD
///   of pixel values, difference of standard deviations.
/// - `ReconstructionQuality`: PSNR and SSIM, on image sets or float tensors.
/// - `GeneratedImageEvaluation`: all of the generated-image metrics at once, as a `Report`.
public enum ImageMetricsModule {}
