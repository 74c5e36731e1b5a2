/// One titled part of the run report (the autoencoder, the flow's curves, the samples…), with an
/// anchor so the overview can link to it.
struct ReportSection {
    var id: String
    var title: String
    /// HTML, already escaped where it holds text from files.
    var body: String

    var html: String {
        "<section id=\"\(HTML.escape(id))\"><h2>\(HTML.escape(title))</h2>\n\(body)\n</section>"
    }
}
