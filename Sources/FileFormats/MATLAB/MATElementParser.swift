/// Walks MAT-file data elements, inflating compressed ones and decoding numeric matrices.
struct MATElementParser {
    let path: String
    let bigEndian: Bool
    let inflateLimit: Int

    /// One data element: its type code and its data bytes.
    struct Element {
        var type: UInt32
        var data: UnsafeRawBufferPointer
    }

    private func malformed(_ message: String) -> FileFormatError { FileFormatError(.malformed, path: path, message) }

    /// Reads the element at `reader.offset` and advances past it and its padding to 8 bytes
    /// (compressed elements are written unpadded by MATLAB, so none is skipped after them).
    func nextElement(_ reader: inout MATByteReader, context: String) throws -> Element {
        guard reader.remaining >= 8 else {
            throw FileFormatError(
                .truncated, path: path, "\(context): incomplete data element tag at byte \(reader.offset)")
        }
        let start = reader.offset
        let first = reader.integer(UInt32.self, at: start)
        if first >> 16 != 0 {
            // Small data element: size in the upper 16 bits, type in the lower, data in the next 4 bytes.
            let size = Int(first >> 16)
            guard size <= 4 else { throw malformed("\(context): small data element claims \(size) bytes (at most 4)") }
            reader.offset += 8
            return Element(
                type: first & 0xFFFF,
                data: UnsafeRawBufferPointer(rebasing: reader.bytes[(start + 4)..<(start + 4 + size)]))
        }
        let size = Int(reader.integer(UInt32.self, at: start + 4))
        guard size <= reader.remaining - 8 else {
            throw FileFormatError(
                .truncated, path: path,
                "\(context): element at byte \(start) claims \(size) bytes but only \(reader.remaining - 8) follow")
        }
        let data = UnsafeRawBufferPointer(rebasing: reader.bytes[(start + 8)..<(start + 8 + size)])
        // The data is padded to a multiple of 8 bytes of its own length (not of the file offset:
        // after an unpadded compressed element, elements start at unaligned offsets).
        // The last element of a file may omit its padding.
        let padded = first == MATDataType.compressed.rawValue ? size : (size + 7) / 8 * 8
        reader.offset = min(reader.bytes.count, start + 8 + padded)
        return Element(type: first, data: data)
    }

    /// Parses a sequence of elements, reporting each numeric matrix found.
    func parseElements(_ bytes: UnsafeRawBufferPointer, depth: Int, _ found: (String, MATArray) -> Void) throws {
        var reader = MATByteReader(bytes, bigEndian: bigEndian)
        while reader.remaining > 0 {
            let element = try nextElement(&reader, context: depth == 0 ? "top level" : "compressed element")
            switch MATDataType(rawValue: element.type) {
            case .compressed:
                guard depth == 0 else { throw malformed("compressed element nested inside another") }
                let inflated: [UInt8]
                do {
                    inflated = try ZlibInflate.inflate(element.data, limit: inflateLimit)
                } catch ZlibInflate.Failure.truncated {
                    throw FileFormatError(.truncated, path: path, "compressed element ends before its zlib stream does")
                } catch ZlibInflate.Failure.corrupt(let message) {
                    throw malformed("compressed element: zlib: \(message)")
                } catch ZlibInflate.Failure.tooLarge(let limit) {
                    throw FileFormatError(
                        .unsupported, path: path, "compressed element inflates to more than \(limit) bytes")
                }
                try inflated.withUnsafeBytes { try parseElements($0, depth: depth + 1, found) }
            case .matrix:
                if let (name, array) = try parseMatrix(element.data) { found(name, array) }
            default:
                continue  // other top-level elements carry nothing this reader returns
            }
        }
    }

    /// Decodes an miMATRIX element: nil for arrays this reader skips (non-numeric, complex, empty).
    func parseMatrix(_ bytes: UnsafeRawBufferPointer) throws -> (String, MATArray)? {
        if bytes.isEmpty { return nil }  // an empty matrix element (used inside cells)
        var reader = MATByteReader(bytes, bigEndian: bigEndian)

        let flags = try nextElement(&reader, context: "array flags")
        guard flags.type == MATDataType.uint32.rawValue, flags.data.count == 8 else {
            throw malformed("array flags are not two uint32 values")
        }
        let flagWord = MATByteReader(flags.data, bigEndian: bigEndian).integer(UInt32.self, at: 0)
        guard let arrayClass = MATArrayClass(rawValue: UInt8(flagWord & 0xFF)) else {
            throw malformed("unknown array class \(flagWord & 0xFF)")
        }
        let isComplex = flagWord & 0x0800 != 0

        let dimsElement = try nextElement(&reader, context: "dimensions")
        guard dimsElement.type == MATDataType.int32.rawValue, dimsElement.data.count % 4 == 0,
            dimsElement.data.count >= 4
        else {
            throw malformed("array dimensions are not int32 values")
        }
        let dimsReader = MATByteReader(dimsElement.data, bigEndian: bigEndian)
        let dims = (0..<dimsElement.data.count / 4).map { Int(dimsReader.integer(Int32.self, at: 4 * $0)) }

        let nameElement = try nextElement(&reader, context: "array name")
        guard
            [MATDataType.int8.rawValue, MATDataType.uint8.rawValue, MATDataType.utf8.rawValue].contains(
                nameElement.type)
        else {
            throw malformed("array name is not stored as 8-bit characters")
        }
        let name = String(decoding: nameElement.data, as: UTF8.self)

        guard arrayClass.isNumeric, !isComplex else { return nil }
        guard let count = ShapeMath.elementCount(dims) else {
            throw malformed("variable '\(name)': invalid dimensions \(dims)")
        }
        let real = try nextElement(&reader, context: "variable '\(name)' data")
        guard let type = MATDataType(rawValue: real.type), let size = type.numericSize else {
            throw malformed("variable '\(name)': data stored as unsupported type \(real.type)")
        }
        guard real.data.count % size == 0, real.data.count / size == count else {
            throw malformed(
                "variable '\(name)': dimensions \(dims) need \(count) values but the data holds \(real.data.count / size)"
            )
        }
        return (
            name,
            MATArray(
                dims: dims, values: decodeNumbers(real.data, type: type, count: count), matlabClass: arrayClass.name)
        )
    }

    private func decodeNumbers(_ data: UnsafeRawBufferPointer, type: MATDataType, count: Int) -> [Double] {
        let r = MATByteReader(data, bigEndian: bigEndian)
        switch type {
        case .int8: return (0..<count).map { Double(Int8(bitPattern: data[$0])) }
        case .uint8: return (0..<count).map { Double(data[$0]) }
        case .int16: return (0..<count).map { Double(r.integer(Int16.self, at: 2 * $0)) }
        case .uint16: return (0..<count).map { Double(r.integer(UInt16.self, at: 2 * $0)) }
        case .int32: return (0..<count).map { Double(r.integer(Int32.self, at: 4 * $0)) }
        case .uint32: return (0..<count).map { Double(r.integer(UInt32.self, at: 4 * $0)) }
        case .int64: return (0..<count).map { Double(r.integer(Int64.self, at: 8 * $0)) }
        case .uint64: return (0..<count).map { Double(r.integer(UInt64.self, at: 8 * $0)) }
        case .single: return (0..<count).map { Double(Float(bitPattern: r.integer(UInt32.self, at: 4 * $0))) }
        case .double: return (0..<count).map { Double(bitPattern: r.integer(UInt64.self, at: 8 * $0)) }
        default: return []
        }
    }
}
