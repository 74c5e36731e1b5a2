import Datasets
import FileFormats
import Foundation
import SharedTestData
import XCTest

final class OxfordFlowers102Tests: XCTestCase {
    func testFakeCopyGivesItemsInImageOrderWithZeroBasedLabels() throws {
        let dir = try TemporaryDirectory()
        var fake = FakeOxford.small
        fake.train = [3, 1, 2]  // order in setid.mat does not matter
        try fake.write(in: dir.url)
        try dir.write("jpg/.DS_Store")
        try dir.write("jpg/readme.txt")

        let catalog = try DatasetSource.oxford(root: dir.url).catalog()
        XCTAssertEqual(catalog.kind, .oxford)
        XCTAssertEqual(catalog.items.map(\.name), (1...6).map { "jpg/image_0000\($0).jpg" })
        XCTAssertEqual(catalog.items.map(\.label), [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(catalog.items.map(\.subset), [.train, .train, .train, .validation, .validation, .test])
        XCTAssertEqual(catalog.items[0].origin, .file(dir.url.appendingPathComponent("jpg/image_00001.jpg")))
        XCTAssertEqual(catalog.classNames.count, 102)
        XCTAssertEqual(
            Array(catalog.classNames.prefix(4)),
            ["pink primrose", "hard-leaved pocket orchid", "canterbury bells", "class 4"])
        XCTAssertEqual(
            catalog.labelFiles.map(\.lastPathComponent), ["imagelabels.mat", "setid.mat", "cat_to_name.json"])
        XCTAssertTrue(catalog.skipped.isEmpty)
        XCTAssertTrue(
            catalog.notes.contains { $0.contains("1 file(s) in jpg/ are not named image_NNNNN.jpg") },
            "\(catalog.notes)")
        XCTAssertEqual(
            try catalog.loadImage(catalog.items[1], side: 0),
            try ImageFile.read(from: dir.url.appendingPathComponent("jpg/image_00002.jpg")))
    }

    func testPartialCopyListingOnlyPresentImagesIsFine() throws {
        // Like the shared development copy: labels for more images than are present.
        let dir = try TemporaryDirectory()
        try FakeOxford(labels: [1, 2, 3, 1, 2, 3, 3, 3], train: [1, 2], validation: [4], test: [8]).write(in: dir.url)
        let catalog = try OxfordFlowers102.catalog(root: dir.url)
        XCTAssertEqual(
            catalog.items.map(\.name),
            ["jpg/image_00001.jpg", "jpg/image_00002.jpg", "jpg/image_00004.jpg", "jpg/image_00008.jpg"])
        XCTAssertEqual(catalog.items.map(\.label), [0, 1, 0, 2])
    }

    func testImagesInNoSplitAreLeftOutWithANote() throws {
        let dir = try TemporaryDirectory()
        var fake = FakeOxford.small
        fake.present = [1, 2, 3, 4, 5, 6]
        fake.test = []
        try fake.write(in: dir.url)
        let catalog = try OxfordFlowers102.catalog(root: dir.url)
        XCTAssertEqual(catalog.items.count, 5)
        XCTAssertTrue(catalog.notes.contains { $0.hasPrefix("1 image(s) in jpg/ are in no split") }, "\(catalog.notes)")
    }

    func testListedImagesMissingFromTheFolderAreAnErrorUnlessAllowed() throws {
        let dir = try TemporaryDirectory()
        var fake = FakeOxford.small
        fake.present = [1, 2, 4, 6]
        try fake.write(in: dir.url)
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .missingImages)
            XCTAssertTrue("\(error)".contains("2 image(s)"), "\(error)")
            XCTAssertTrue("\(error)".contains("image_00003.jpg, image_00005.jpg"), "\(error)")
        }
        let catalog = try OxfordFlowers102.catalog(root: dir.url, allowMissingImages: true)
        XCTAssertEqual(
            catalog.items.map(\.name),
            ["jpg/image_00001.jpg", "jpg/image_00002.jpg", "jpg/image_00004.jpg", "jpg/image_00006.jpg"])
        XCTAssertEqual(catalog.skipped.map(\.file), ["jpg/image_00003.jpg", "jpg/image_00005.jpg"])
        XCTAssertTrue(
            catalog.skipped[0].reason.contains("listed in setid.mat (train) but not in jpg/"), catalog.skipped[0].reason
        )
    }

    func testMissingLabelFilesAreClearErrors() throws {
        for file in ["imagelabels.mat", "setid.mat"] {
            let dir = try TemporaryDirectory()
            try FakeOxford.small.write(in: dir.url)
            try FileManager.default.removeItem(at: dir.url.appendingPathComponent(file))
            XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
                let formatError = error as? FileFormatError
                XCTAssertEqual(formatError?.kind, .notFound, "\(error)")
                XCTAssertEqual(formatError?.path, dir.url.appendingPathComponent(file).path)
                XCTAssertTrue(formatError?.message.contains("fetch-data") == true, "\(error)")
            }
        }
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url.appendingPathComponent("nowhere"))) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .notFound)
        }
        try FakeOxford.small.write(in: dir.url)
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("jpg"))
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
            XCTAssertEqual((error as? FileFormatError)?.path, dir.url.appendingPathComponent("jpg").path)
        }
    }

    func testUnreadableOrMalformedLabelFilesAreClearErrors() throws {
        let cases: [(String, Data, String)] = [
            (
                "imagelabels.mat",
                Data(
                    "not a MAT-file at all, just some text that is long enough to fill a header".utf8
                        + [UInt8](repeating: 32, count: 100)), "MATLAB"
            ),
            ("imagelabels.mat", Data(), "128-byte header"),
            (
                "imagelabels.mat", MATWriter.file([("labls", [1, 2, 3, 1, 2, 3], .uint8)]),
                "no numeric variable 'labels' (found: labls)"
            ),
            (
                "imagelabels.mat", MATWriter.file([("labels", [1, 2, 0, 1, 2, 3], .uint8)]),
                "label 0 of image 3 is outside"
            ),
            ("imagelabels.mat", MATWriter.file([("labels", [1, 2, 103, 1, 2, 3], .uint8)]), "label 103 of image 3"),
            ("imagelabels.mat", MATWriter.file([("labels", [1, 2, 2.5, 1, 2, 3], .double)]), "not a whole number"),
            ("setid.mat", MATWriter.file([("trnid", [1, 2, 3], .uint16), ("valid", [4, 5], .uint16)]), "'tstid'"),
            (
                "setid.mat",
                MATWriter.file([("trnid", [1, 2, 3], .uint16), ("valid", [3, 5], .uint16), ("tstid", [6], .uint16)]),
                "image 3 is listed twice"
            ),
        ]
        for (file, data, expected) in cases {
            let dir = try TemporaryDirectory()
            try FakeOxford.small.write(in: dir.url)
            try data.write(to: dir.url.appendingPathComponent(file))
            XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url), expected) { error in
                XCTAssertEqual((error as? FileFormatError)?.path, dir.url.appendingPathComponent(file).path, "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "expected '\(expected)' in: \(error)")
            }
        }
    }

    func testLabelsThatDoNotMatchTheImagesAreAnError() throws {
        // setid.mat lists an image beyond the labelled ones.
        let dir = try TemporaryDirectory()
        try FakeOxford(labels: [1, 2, 3, 1, 2], train: [1, 2, 3], validation: [4, 5], test: [6]).write(in: dir.url)
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .labelMismatch)
            XCTAssertTrue("\(error)".contains("'tstid' lists image 6"), "\(error)")
            XCTAssertTrue("\(error)".contains("images 1…5"), "\(error)")
        }
        // jpg/ holds a photo beyond the labelled ones.
        let other = try TemporaryDirectory()
        var fake = FakeOxford.small
        fake.present = [1, 2, 3, 4, 5, 6, 9]
        try fake.write(in: other.url)
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: other.url)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .labelMismatch)
            XCTAssertTrue("\(error)".contains("image_00009.jpg"), "\(error)")
        }
    }

    func testClassNamesFileIsOptionalButMustBeValid() throws {
        let dir = try TemporaryDirectory()
        var fake = FakeOxford.small
        fake.classNames = nil
        try fake.write(in: dir.url)
        let catalog = try OxfordFlowers102.catalog(root: dir.url)
        XCTAssertEqual(catalog.classNames[0], "class 1")
        XCTAssertEqual(catalog.labelFiles.count, 2)
        try dir.write("cat_to_name.json", Data("{\"one\": \"rose\"}".utf8))
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
            XCTAssertTrue("\(error)".contains("key \"one\" is not a class id"), "\(error)")
        }
        try dir.write("cat_to_name.json", Data("[1, 2]".utf8))
        XCTAssertThrowsError(try OxfordFlowers102.catalog(root: dir.url)) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .malformed)
        }
    }

    func testImageNames() {
        XCTAssertEqual(OxfordFlowers102.imageName(1), "image_00001.jpg")
        XCTAssertEqual(OxfordFlowers102.imageName(8189), "image_08189.jpg")
    }

    /// The development copy: 7,169 photos listed as 1020 / 1020 / 5129.
    func testSharedDevelopmentCopy() throws {
        let root = try SharedTestData.url("data/oxford102/setid.mat").deletingLastPathComponent()
        let catalog = try OxfordFlowers102.catalog(root: root)
        XCTAssertEqual(catalog.items.count, 7169)
        XCTAssertEqual(catalog.count(of: .train), 1020)
        XCTAssertEqual(catalog.count(of: .validation), 1020)
        XCTAssertEqual(catalog.count(of: .test), 5129)
        XCTAssertEqual(catalog.items.first?.name, "jpg/image_00001.jpg")
        XCTAssertEqual(catalog.classNames.count, 102)
        XCTAssertEqual(catalog.classNames[0], "pink primrose")
        XCTAssertTrue(catalog.items.allSatisfy { (0..<102).contains($0.label) })
        XCTAssertEqual(Set(catalog.items.map(\.label)).count, 102)
        // Ten training images per class, as in the official split.
        let trainPerClass = Dictionary(grouping: catalog.items.filter { $0.subset == .train }, by: \.label).mapValues(
            \.count)
        XCTAssertEqual(Set(trainPerClass.values), [10])
        XCTAssertTrue(catalog.skipped.isEmpty)
        let image = try catalog.loadImage(catalog.items[0], side: 0)
        XCTAssertEqual(min(image.width, image.height), 160)
    }
}
