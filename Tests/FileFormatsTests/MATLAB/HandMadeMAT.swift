import Foundation

/// Builds MAT-file bytes for tests, in either byte order, with normal or small element tags
/// and optional compression (zlib with stored blocks, so no zlib is needed in the tests).
struct HandMadeMAT {
    var bigEndian = false
    var text = "MATLAB 5.0 MAT-file, made by the FileFormats tests"
    var version: UInt16 = 0x0100
    var elements: [Data] = []

    func encoded() -> Data {
        var out = Data(text.utf8.prefix(116))
        out.append(Data(repeating: 0x20, count: 116 - out.count))
        out.append(Data(repeating: 0, count: 8))
        out.append(u16(version))
        out.append(contentsOf: bigEndian ? Array("MI".utf8) : Array("IM".utf8))
        for e in elements { out.append(e) }
        return out
    }

    func u16(_ v: UInt16) -> Data { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { Data($0) } }
    func u32(_ v: UInt32) -> Data { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { Data($0) } }

    /// A data element with an 8-byte tag, padded to 8 bytes; small (4-byte tag) if requested and possible.
    func element(_ type: UInt32, _ payload: Data, small: Bool = false) -> Data {
        if small && payload.count <= 4 {
            var out = u32(UInt32(payload.count) << 16 | type)
            out.append(payload)
            out.append(Data(repeating: 0, count: 4 - payload.count))
            return out
        }
        var out = u32(type) + u32(UInt32(payload.count))
        out.append(payload)
        out.append(Data(repeating: 0, count: (8 - payload.count % 8) % 8))
        return out
    }

    /// Encodes values of a numeric storage type (miXXX code) in the file's byte order.
    func numbers(_ values: [Double], as type: UInt32) -> Data {
        var out = Data()
        for v in values {
            switch type {
            case 1: out.append(UInt8(bitPattern: Int8(v)))
            case 2: out.append(UInt8(v))
            case 3: out.append(u16(UInt16(bitPattern: Int16(v))))
            case 4: out.append(u16(UInt16(v)))
            case 5: out.append(u32(UInt32(bitPattern: Int32(v))))
            case 6: out.append(u32(UInt32(v)))
            case 7: out.append(u32(Float(v).bitPattern))
            case 9:
                let bits = v.bitPattern
                out.append(withUnsafeBytes(of: bigEndian ? bits.bigEndian : bits.littleEndian) { Data($0) })
            default: fatalError("test helper: unsupported type \(type)")
            }
        }
        return out
    }

    /// An miMATRIX element for a numeric variable: `classCode` is the mxCLASS, `storage` the miTYPE.
    func matrix(
        _ name: String, dims: [Int], values: [Double], classCode: UInt8 = 6, storage: UInt32 = 9,
        small: Bool = false, complex: Bool = false
    ) -> Data {
        var body = element(6, u32(UInt32(classCode) | (complex ? 0x0800 : 0)) + u32(0))
        body += element(5, dims.reduce(Data()) { $0 + u32(UInt32(bitPattern: Int32($1))) })
        body += element(1, Data(name.utf8), small: small)
        body += element(storage, numbers(values, as: storage), small: small)
        if complex { body += element(storage, numbers(values, as: storage), small: small) }
        return element(14, body)
    }

    /// An miCOMPRESSED element wrapping `inner` (unpadded, as MATLAB writes it).
    func compressed(_ inner: Data) -> Data {
        let z = HandMadePNG.zlibStored([UInt8](inner))
        return u32(15) + u32(UInt32(z.count)) + z
    }
}
