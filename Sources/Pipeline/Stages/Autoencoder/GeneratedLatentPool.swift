import Foundation
import TensorCore

/// Latents a flow generated (`pipeline generate --latents-only`), for a decoder fine-tune whose
/// discriminator also judges the decoder's pictures of them.
///
/// Why: a decoder fine-tuned adversarially on the encoder's latents of real photos draws those
/// well, but the flow's samples are not such latents: measured on Oxford, the longer the fine-tune
/// ran, the sharper the 128 px level of the samples became and the further their 64 and 32 px
/// levels drifted from the real photos' (while the reconstructions' did not). Judging the decoded
/// samples too puts the latents that the decoder will actually be given into its training.
/// They need no target image: only the adversarial term sees them. (Measured on Oxford: no
/// difference against the same fine-tune without them; it stays an option for the study.)
struct GeneratedLatentPool {
    /// [count, channels, height, width].
    let latents: Tensor
    let url: URL

    var count: Int { latents.shape[0] }

    /// Reads a `generate --latents-only` file of latents of `latentShape` ([channels, height, width]).
    init(url: URL, latentShape: [Int]) throws {
        latents = try GeneratedLatentsFile.read(url, latentShape: latentShape).latents
        self.url = url
    }

    /// `size` latents for training step `step`, drawn with replacement from a generator seeded by
    /// the run's seed and the step: no state to checkpoint, so a resumed run draws the same ones.
    func batch(step: Int, size: Int, seed: UInt64) -> Tensor {
        var random = SeededGenerator(
            seed: seed ^ RandomStream.generatedLatentPool.salt ^ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        return latents.gatheringRows((0..<size).map { _ in Int(random.next() % UInt64(count)) })
    }
}
