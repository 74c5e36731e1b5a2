/// The report's CSS, inlined in the page (no external sheet, no web font). Mobile first: one
/// column on a phone; cards, charts and picture pairs flow into more columns as the screen
/// widens. Wide tables scroll inside their own box, and pictures and charts never overflow.
/// `pipeline serve`'s pages share it.
public enum ReportStyle {
    public static let css = """
        *, *::before, *::after { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; background: #f6f6f4; }
        header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 12px; }
        header { padding-top: 12px; }
        h1 { font-size: 1.5rem; margin: 0.4em 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.25rem; margin: 0 0 0.6em; }
        h3 { font-size: 1.05rem; margin: 0 0 0.4em; display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; }
        section { background: #fff; border-radius: 10px; padding: 14px; margin: 14px 0; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
        nav ul { list-style: none; padding: 0; margin: 0.5em 0; display: flex; flex-wrap: wrap; gap: 6px; }
        nav a { text-decoration: none; }
        .meta { color: #555; font-size: 0.9rem; overflow-wrap: anywhere; }
        .cards { display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
        .card { border: 1px solid #e2e2e2; border-radius: 8px; padding: 10px; min-width: 0; }
        .state { font-size: 0.8rem; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: #ddd; color: #222; white-space: nowrap; }
        .state-done { background: #d7f2dc; color: #0f5c22; }
        .state-stale { background: #fde9c8; color: #7a4b00; }
        .state-missing { background: #f3d6d6; color: #7d1818; }
        .state-running { background: #d6e6fb; color: #0b3d7a; }
        .state-not-enabled { background: #eee; color: #777; }
        .why, .note { font-size: 0.9rem; color: #555; margin: 0.3em 0; overflow-wrap: anywhere; }
        .problem { color: #8a1c1c; background: #fdeaea; padding: 6px 8px; border-radius: 6px; overflow-wrap: anywhere; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0.5em 0; font-size: 0.92rem; }
        dl.facts dt { color: #555; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
        details summary { cursor: pointer; color: #264d8c; font-size: 0.92rem; }
        .table-wrap { overflow-x: auto; margin: 0.6em 0; -webkit-overflow-scrolling: touch; }
        table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: top; }
        th { background: #f2f2f2; }
        td.text, th:first-child { text-align: left; }
        td.text { overflow-wrap: anywhere; max-width: 28rem; }
        figure { margin: 0.6em 0; }
        /* Grids are scaled to the column: small ones (a 32 px test run) up, pixel for pixel; big ones down. */
        figure img { display: block; width: 100%; max-width: 900px; height: auto; image-rendering: pixelated; border-radius: 4px; }
        figcaption { font-size: 0.85rem; color: #555; margin-top: 4px; }
        /* auto-fill: a chart alone keeps its column's width rather than stretching across a wide screen. */
        .charts, .pair { display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); }
        .chart svg { display: block; width: 100%; height: auto; }
        .grid-with-columns { max-width: 900px; }
        ol.column-numbers { display: grid; list-style: none; margin: 0; padding: 0 2px; font-size: 0.75rem; color: #555; text-align: center; }
        ol.legend { columns: 12rem; margin: 0.4em 0; padding-left: 1.8em; font-size: 0.92rem; }
        footer { color: #777; font-size: 0.85rem; padding-bottom: 24px; }
        @media (min-width: 900px) { header, main, footer { padding: 0 24px; } section { padding: 18px 22px; } h1 { font-size: 1.8rem; } }
        """
}
