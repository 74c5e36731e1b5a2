/// LatentFlow: flow matching from first principles, for any [C, H, W] data (16×16×4 latents of
/// the autoencoder, or 3×128×128 pixels for the baseline).
///
/// - `Model/`: `VelocityUNet` (the velocity network), `FlowModel` (network + data statistics +
///   path, saved as safetensors).
/// - `Paths/`: `FlowPath` (linear and cosine interpolation with their velocity targets),
///   `TimeSampling` (uniform, logit-normal, shifted), `TimeWarp`.
/// - `Transport/`: `LinearAssignment` (exact assignment) and `MinibatchOptimalTransport`.
/// - `Data/`: `FlowBatchSource` (a pure function from step to batch), `InMemoryBatchSource`,
///   `ChannelStatistics` (per-channel standardisation).
/// - `Training/`: `FlowTrainer` (AdamW, warm-up + cosine, clipping, EMA, label dropout,
///   losses per time bucket, checkpoints with exact resume), a `Trainer` that TensorCore's
///   `TrainingLoop` drives (budgets, cadences).
/// - `Sampling/`: `ODEIntegrator` (Euler, midpoint, Heun, RK4, adaptive Dormand–Prince 5(4)),
///   `GuidedVelocity` (classifier-free guidance), `FlowModel.sample`.
public enum LatentFlowModule {}
