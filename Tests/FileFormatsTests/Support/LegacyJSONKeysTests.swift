import FileFormats
import Foundation
import XCTest

final class LegacyJSONKeysTests: XCTestCase {
    /// Keys are renamed at any depth; values, other keys and big integers stay exactly as written.
    func testOldKeysAreRenamedAndNothingElse() throws {
        let old =
            #"{"kid" : 0.5, "nested": {"kid": {"kid_like": "kid", "note": "say \"kid\": no"}}, "seed": 18446744073709551615}"#
        let renamed = String(decoding: LegacyJSONKeys.renaming(["kid": "iskd"], in: Data(old.utf8)), as: UTF8.self)
        XCTAssertEqual(
            renamed,
            #"{"iskd" : 0.5, "nested": {"iskd": {"kid_like": "kid", "note": "say \"kid\": no"}}, "seed": 18446744073709551615}"#
        )
    }
}
