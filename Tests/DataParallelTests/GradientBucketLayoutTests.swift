import DataParallel
import XCTest

final class GradientBucketLayoutTests: XCTestCase {
    func testBucketsFillInReverseRegistrationOrderUpToTheCapacity() {
        // Capacity of 10 floats; a parameter larger than that travels alone.
        let layout = GradientBucketLayout(counts: [4, 3, 12, 5, 5], capacityBytes: 40)
        let members = layout.buckets.map { $0.entries.map { layout.entries[$0].parameter } }
        XCTAssertEqual(members, [[4, 3], [2], [1, 0]])
        XCTAssertEqual(layout.buckets.map(\.length), [5 + 5 + 2, 12 + 1, 3 + 4 + 2])
    }

    func testGradientsThenPresenceSlotsWithoutOverlap() {
        let layout = GradientBucketLayout(counts: [4, 3, 12, 5, 5], capacityBytes: 40)
        for (b, bucket) in layout.buckets.enumerated() {
            var used = Set<Int>()
            for e in bucket.entries {
                let entry = layout.entries[e]
                XCTAssertEqual(entry.bucket, b)
                for i in entry.offset..<(entry.offset + entry.count) { XCTAssertTrue(used.insert(i).inserted) }
                XCTAssertTrue(used.insert(entry.presenceOffset).inserted)
            }
            XCTAssertEqual(used, Set(0..<bucket.length))
        }
        XCTAssertEqual(Set(layout.entries.map(\.parameter)), Set(0..<5))
    }
}
