import TensorCore
import XCTest

final class RandomStreamTests: XCTestCase {
    /// The salts every seeded run so far was made with: a changed value would silently change
    /// every run's splits, noise and samples, so each is pinned here.
    func testSaltsAreTheValuesRunsWereMadeWith() {
        let pinned: [RandomStream: UInt64] = [
            .loaderEpochOrder: 0x0D3E, .imageAugmentation: 0xA06, .sampleNoise: 0x501E,
            .flowTrainingStep: 0xF10A, .latentEpochOrder: 0x5EED_0DE2, .latentVariantChoice: 0x0A0C_0A0C,
            .flowInitialization: 0x1417, .fewStepTrainingStep: 0xF57E, .reflowPairEpochOrder: 0x2EF1_0BA7,
            .classBalancedSample: 0x4241_4C41_4E43_4544,
            .datasetSplit: 0x5EED_5B17_0000_0001, .evaluationImageChoice: 0x4556_414C_5345_4C45,
            .discriminatorInitialization: 0xD15C_0000_0000_0001, .generatedLatentPool: 0x6C61_7465_6E74_7300,
            .evaluationRealImages: 1, .evaluationFloorImages: 2, .syntheticFlowerImage: 0x5851_F42D_4C95_7F2D,
        ]
        XCTAssertEqual(Set(pinned.keys), Set(RandomStream.allCases), "every stream is pinned")
        for stream in RandomStream.allCases {
            XCTAssertEqual(stream.salt, pinned[stream], "\(stream)")
        }
    }
}
