import Datasets
import FileFormats
import Foundation
import XCTest

final class DatasetSourceTests: XCTestCase {
    func testFolderSourceSplitsEveryClassFromTheSeed() throws {
        let dir = try TemporaryDirectory()
        for cls in ["rose", "tulip"] {
            for i in 0..<10 { try dir.write("\(cls)/\(i).png") }
        }
        let split = RandomSplit(validation: 0.2, test: 0.1, seed: 7)
        let catalog = try DatasetSource.folder(root: dir.url, split: split).catalog()
        XCTAssertEqual(catalog.kind, .folder)
        XCTAssertEqual(catalog.classNames, ["rose", "tulip"])
        XCTAssertEqual(catalog.items.count, 20)
        XCTAssertEqual(catalog.items[0].name, "rose/0.png")
        for label in 0..<2 {
            let members = catalog.items.filter { $0.label == label }
            XCTAssertEqual(members.filter { $0.subset == .validation }.count, 2)
            XCTAssertEqual(members.filter { $0.subset == .test }.count, 1)
        }
        let again = try DatasetSource.folder(root: dir.url, split: split).catalog()
        XCTAssertEqual(again.items, catalog.items)
        let other = try DatasetSource.folder(root: dir.url, split: RandomSplit(validation: 0.2, test: 0.1, seed: 8))
            .catalog()
        XCTAssertNotEqual(other.items.map(\.subset), catalog.items.map(\.subset))
        XCTAssertEqual(catalog.parameters["split_seed"], "7")
    }

    func testFlatFolderIsOneUnlabelledClass() throws {
        let dir = try TemporaryDirectory()
        for i in 0..<5 { try dir.write("\(i).jpg") }
        let catalog = try DatasetSource.folder(root: dir.url, split: RandomSplit(validation: 0.2, test: 0)).catalog()
        XCTAssertEqual(catalog.classNames, ["unlabelled"])
        XCTAssertEqual(Set(catalog.items.map(\.label)), [0])
        XCTAssertEqual(catalog.count(of: .validation), 1)
        XCTAssertEqual(catalog.notes.count, 1)
    }

    func testSyntheticSourceRendersItsItemsAtTheRequestedSide() throws {
        let catalog = try DatasetSource.synthetic(
            count: 12, classes: 3, seed: 5, split: RandomSplit(validation: 0.25, test: 0.25, seed: 5)
        ).catalog()
        XCTAssertEqual(catalog.kind, .synthetic)
        XCTAssertNil(catalog.root)
        XCTAssertEqual(catalog.items.count, 12)
        XCTAssertEqual(catalog.items.map(\.label), (0..<12).map { $0 % 3 })
        XCTAssertEqual(catalog.items[3].name, "synthetic/000003")
        XCTAssertEqual(catalog.count(of: .validation), 3)
        XCTAssertEqual(catalog.count(of: .test), 3)
        let image = try catalog.loadImage(catalog.items[4], side: 24)
        XCTAssertEqual(image, try SyntheticFlowers(classCount: 3, seed: 5).image(index: 4, size: 24))
        XCTAssertThrowsError(try DatasetSource.synthetic(count: 0, classes: 3, seed: 0, split: RandomSplit()).catalog())
        XCTAssertThrowsError(try DatasetSource.synthetic(count: 3, classes: 0, seed: 0, split: RandomSplit()).catalog())
    }
}
