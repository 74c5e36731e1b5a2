import Foundation

/// Test-only writer of MATLAB 5 MAT-files (little-endian, uncompressed): numeric row vectors
/// stored as uint8, uint16 or double, enough to build fake `imagelabels.mat` / `setid.mat`.
enum MATWriter {
    enum Storage {
        case uint8, uint16, double

        /// (miXXX data type, mxXXX class, bytes per element)
        var codes: (type: UInt32, arrayClass: UInt32, size: Int) {
            switch self {
            case .uint8: return (2, 9, 1)
            case .uint16: return (4, 11, 2)
            case .double: return (9, 6, 8)
            }
        }
    }

    /// The bytes of a MAT-file holding the 1×N vectors `variables` (name → values).
    static func file(_ variables: [(name: String, values: [Double], storage: Storage)]) -> Data {
        var header = Array("MATLAB 5.0 MAT-file, written by the flow-matching-flowers tests".utf8)
        header += Array(repeating: UInt8(ascii: " "), count: 116 - header.count)
        header += Array(repeating: 0, count: 8)  // subsystem data offset
        header += [0x00, 0x01]  // version 0x0100, little-endian
        header += [UInt8(ascii: "I"), UInt8(ascii: "M")]
        var data = Data(header)
        for variable in variables { data.append(contentsOf: matrix(variable.name, variable.values, variable.storage)) }
        return data
    }

    private static func matrix(_ name: String, _ values: [Double], _ storage: Storage) -> [UInt8] {
        let codes = storage.codes
        var body: [UInt8] = []
        body += element(type: 6, payload: le(codes.arrayClass) + le(UInt32(0)))  // array flags
        body += element(type: 5, payload: le(Int32(1)) + le(Int32(values.count)))  // dimensions 1×N
        body += element(type: 1, payload: Array(name.utf8))  // name
        var real: [UInt8] = []
        for v in values {
            switch storage {
            case .uint8: real.append(UInt8(v))
            case .uint16: real += le(UInt16(v))
            case .double: real += le(v.bitPattern)
            }
        }
        body += element(type: codes.type, payload: real)
        return le(UInt32(14)) + le(UInt32(body.count)) + body
    }

    /// A tagged element, its data padded to a multiple of 8 bytes.
    private static func element(type: UInt32, payload: [UInt8]) -> [UInt8] {
        let padding = (8 - payload.count % 8) % 8
        return le(type) + le(UInt32(payload.count)) + payload + Array(repeating: 0, count: padding)
    }

    private static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
