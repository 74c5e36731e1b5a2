import Datasets
import Foundation

/// The stage's fields of an autoencoder checkpoint, beside the trainer's (see
/// `TrainerCheckpointInfo`): what a resume must agree on and where the data stands.
struct TrainAECheckpointFields: Codable, Equatable {
    /// The options that shape the trajectory (see `TrainAEOptions.trajectoryKey`).
    var options: TrainAEOptions
    var imageSize: Int
    /// The loader position of the next batch.
    var position: LoaderPosition
}
