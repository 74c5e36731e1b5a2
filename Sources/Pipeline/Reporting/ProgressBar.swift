/// A text progress bar drawn with Unicode block elements, which have eighth-cell steps so
/// that a narrow bar still moves visibly: `[██████▍         ]`.
public enum ProgressBar {
    /// Partial cells, from one eighth to seven eighths full.
    static let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// The bar for `fraction` (clamped to 0...1; NaN counts as 0) with `width` cells between
    /// the brackets (at least 1).
    public static func render(fraction: Double, width: Int) -> String {
        let cells = max(1, width)
        let clamped = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        let eighths = Int((clamped * Double(cells * 8)).rounded(.down))
        let full = eighths / 8
        let remainder = eighths % 8
        var bar = String(repeating: "█", count: full)
        if remainder > 0 { bar.append(partials[remainder - 1]) }
        bar += String(repeating: " ", count: cells - full - (remainder > 0 ? 1 : 0))
        return "[" + bar + "]"
    }
}
