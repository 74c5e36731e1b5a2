/// The few pieces of HTML the run report is made of. Everything that comes from a file or a
/// setting goes through `escape`, so a class name or a path can never break the page.
enum HTML {
    static func escape(_ text: String) -> String { SVGLineChart.escape(text) }

    /// A table in a horizontally scrolling box (a wide table must not widen a phone's page).
    /// Cells are text; columns after the first are right-aligned numbers unless `textColumns`
    /// says otherwise.
    static func table(header: [String], rows: [[String]], textColumns: Int = 1, caption: String? = nil) -> String {
        var out = "<div class=\"table-wrap\"><table>"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            out +=
                "<tr>"
                + row.enumerated().map { index, cell in
                    index < textColumns ? "<td class=\"text\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>"
                }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// Name–value pairs as a definition list.
    static func facts(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        return "<dl class=\"facts\">" + pairs.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>" }.joined()
            + "</dl>"
    }

    /// A picture that opens full size when tapped; `source` is a data URI or a relative path.
    static func figure(_ source: String, alt: String, caption: String) -> String {
        "<figure><a href=\"\(escape(source))\"><img src=\"\(escape(source))\" alt=\"\(escape(alt))\" loading=\"eager\"></a>"
            + "<figcaption>\(escape(caption))</figcaption></figure>"
    }

    /// A line saying what could not be shown and why (a damaged or missing file).
    static func problem(_ text: String) -> String {
        "<p class=\"problem\">\(escape(text))</p>"
    }

    /// An SVG chart for inlining in the page (inline SVG takes no XML declaration).
    static func chart(_ chart: SVGLineChart) -> String {
        "<div class=\"chart\">"
            + chart.svg().split(separator: "\n").filter { !$0.hasPrefix("<?xml") }.joined(separator: "\n") + "</div>"
    }
}
