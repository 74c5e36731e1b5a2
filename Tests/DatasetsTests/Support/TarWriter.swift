import Foundation

/// Test-only tar writer, so that fixtures with known (and deliberately bad) entries can be made.
struct TarWriter {
    enum Kind { case file, directory, symlink }

    private(set) var bytes: [UInt8] = []

    /// Appends an entry. Names longer than 100 bytes are split into ustar prefix + name, or
    /// written as a GNU long-name entry when `gnuLongName` is set, or as a PAX `path` when `pax`.
    mutating func add(
        _ name: String, _ contents: [UInt8] = [], kind: Kind = .file,
        gnuLongName: Bool = false, pax: Bool = false
    ) {
        var headerName = name
        var prefix = ""
        let utf8 = Array(name.utf8)
        if utf8.count > 100 {
            if gnuLongName {
                appendHeader(name: "././@LongLink", prefix: "", size: utf8.count + 1, type: "L", gnu: true)
                appendData(utf8 + [0])
                headerName = String(decoding: utf8.prefix(100), as: UTF8.self)
            } else if pax {
                let record = paxRecord("path", name)
                appendHeader(name: "PaxHeaders/x", prefix: "", size: record.count, type: "x")
                appendData(record)
                headerName = String(decoding: utf8.suffix(99), as: UTF8.self)
            } else if let slash = name.lastIndex(of: "/") {
                prefix = String(name[..<slash])
                headerName = String(name[name.index(after: slash)...])
            }
        }
        let type: Character = kind == .file ? "0" : (kind == .directory ? "5" : "2")
        appendHeader(name: headerName, prefix: prefix, size: kind == .file ? contents.count : 0, type: type)
        if kind == .file { appendData(contents) }
    }

    /// The archive with its two closing zero blocks.
    func finished() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    /// Overwrites one byte of the archive so far (to corrupt a header on purpose).
    mutating func poke(_ offset: Int, _ value: UInt8) { bytes[offset] = value }

    private func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while "\(length)\(body)".utf8.count != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }

    private mutating func appendHeader(name: String, prefix: String, size: Int, type: Character, gnu: Bool = false) {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ offset: Int, _ text: String) { for (k, b) in text.utf8.enumerated() { h[offset + k] = b } }
        put(0, name)
        put(100, "0000644")
        put(108, "0000000")
        put(116, "0000000")
        put(124, String(format: "%011o", size))
        put(136, "14000000000")
        put(148, "        ")
        h[156] = type.asciiValue!
        if gnu {
            put(257, "ustar  ")
        } else {
            put(257, "ustar")
            put(263, "00")
        }
        put(345, prefix)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(148, String(format: "%06o", sum))
        h[154] = 0
        h[155] = 32
        bytes += h
    }

    private mutating func appendData(_ data: [UInt8]) {
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
}
