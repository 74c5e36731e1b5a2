/// Object paths inside an HDF5 file. Callers may write "a/b" or "/a/b"; HDF5 is given the
/// absolute form so paths never depend on which object a call starts from.
enum HDF5Path {
    static func absolute(_ path: String) -> String {
        let parts = components(path)
        return "/" + parts.joined(separator: "/")
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Every ancestor path and the path itself: "/a/b" → ["/a", "/a/b"].
    static func prefixes(_ path: String) -> [String] {
        var out: [String] = []
        var current = ""
        for part in components(path) {
            current += "/" + part
            out.append(current)
        }
        return out
    }

    /// Names made only of "." or ".." would make paths ambiguous; HDF5 would take them literally.
    static func isValidNewName(_ path: String) -> Bool {
        let parts = components(path)
        return !parts.isEmpty && !parts.contains { $0 == "." || $0 == ".." }
    }
}
