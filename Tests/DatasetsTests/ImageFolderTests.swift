import Datasets
import FileFormats
import Foundation
import SharedTestData
import XCTest

final class ImageFolderTests: XCTestCase {
    func testClassFoldersGiveSortedClassIds() throws {
        let dir = try TemporaryDirectory()
        for path in [
            "tulip/b.jpg", "tulip/a.JPEG", "rose/x.png", "rose/nested/y.jpg", "rose/notes.txt",
            "rose/.hidden.jpg", ".git/thumb.png", "__MACOSX/rose/._x.png", "empty/readme.md",
            "daisy/.DS_Store", "daisy/1.jpg", "loose.jpg",
        ] {
            try dir.write(path)
        }
        let folder = try ImageFolder.scan(dir.url)
        XCTAssertEqual(folder.classNames, ["daisy", "rose", "tulip"])
        XCTAssertEqual(
            folder.files.map { $0.path.replacingOccurrences(of: dir.url.path + "/", with: "") },
            ["daisy/1.jpg", "rose/nested/y.jpg", "rose/x.png", "tulip/a.JPEG", "tulip/b.jpg"])
        XCTAssertEqual(folder.labels, [0, 1, 1, 2, 2])
    }

    func testFlatFolderHasNoLabels() throws {
        let dir = try TemporaryDirectory()
        for path in ["b.png", "a.jpg", ".c.jpg", "d.gif", "e.JPG"] { try dir.write(path) }
        let folder = try ImageFolder.scan(dir.url)
        XCTAssertNil(folder.labels)
        XCTAssertEqual(folder.classNames, [])
        XCTAssertEqual(folder.files.map(\.lastPathComponent), ["a.jpg", "b.png", "e.JPG"])
    }

    func testMissingOrEmptyFoldersThrowClearly() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.url.appendingPathComponent("nope")
        XCTAssertThrowsError(try ImageFolder.scan(missing)) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .notFound)
            XCTAssertTrue("\(error)".contains(missing.path))
        }
        try dir.write("sub/readme.txt")
        XCTAssertThrowsError(try ImageFolder.scan(dir.url)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .emptyDataset)
        }
        let file = try dir.write("plain.jpg")
        XCTAssertThrowsError(try ImageFolder.scan(file))
    }

    /// The development copy of Oxford Flowers 102 is a flat folder of JPEGs.
    func testSharedOxfordFolderScansFlat() throws {
        let jpg = try SharedTestData.url("data/oxford102/jpg")
        let folder = try ImageFolder.scan(jpg)
        XCTAssertNil(folder.labels)
        XCTAssertEqual(folder.files.count, 7169)
        XCTAssertEqual(folder.files.first?.lastPathComponent, "image_00001.jpg")
    }
}
