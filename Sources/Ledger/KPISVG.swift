import Foundation

// Small inline SVG charts for the HTML report: no scripts, no fonts to load,
// fixed viewBox so the page scales them. Values are drawn as given; a chart
// with nothing to show says so instead of drawing empty axes.

enum KPISVG {
    static let palette = ["#2f6db3", "#e07b22", "#3c9a5f", "#c23b3b", "#7d57b0", "#8a6d3b", "#d45ba6", "#5a5a5a"]

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e12 ? String(Int64(v)) : String(format: "%.1f", v)
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func empty(_ title: String) -> String {
        "<svg viewBox=\"0 0 560 60\" role=\"img\"><title>\(escape(title))</title>"
            + "<text x=\"10\" y=\"35\" class=\"na\">\(escape(title)): n/a (nothing in the period)</text></svg>"
    }

    /// Vertical bars, one per label (hours or days), with the highest value marked.
    static func bars(title: String, labels: [String], values: [Double], color: String = palette[0], unit: String = "") -> String {
        guard !values.isEmpty, let top = values.max(), top > 0 else { return empty(title) }
        let w = 560.0, h = 200.0, left = 40.0, bottom = 24.0, plotH = h - bottom - 14
        let step = (w - left - 10) / Double(values.count), barW = max(1, min(step * 0.8, 48))
        var out = "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\"><title>\(escape(title))</title>"
        out += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - 10)\" y2=\"\(h - bottom)\" class=\"axis\"/>"
        out += "<text x=\"\(left - 4)\" y=\"\(h - bottom - plotH + 4)\" class=\"tick\" text-anchor=\"end\">\(number(top))</text>"
        out += "<text x=\"\(left - 4)\" y=\"\(h - bottom)\" class=\"tick\" text-anchor=\"end\">0</text>"
        let every = max(1, labels.count / 8)
        for (i, v) in values.enumerated() {
            let bh = v / top * plotH, x = left + Double(i) * step + (step - barW) / 2
            out += "<rect x=\"\(f(x))\" y=\"\(f(h - bottom - bh))\" width=\"\(f(barW))\" height=\"\(f(bh))\" fill=\"\(color)\">"
                + "<title>\(escape(labels[i])): \(number(v))\(unit)</title></rect>"
            if i % every == 0 {
                out += "<text x=\"\(f(x + barW / 2))\" y=\"\(f(h - 8))\" class=\"tick\" text-anchor=\"middle\">\(escape(labels[i]))</text>"
            }
        }
        return out + "</svg>"
    }

    /// Horizontal bars with their label and value, for categories (stations, codes, causes).
    static func hbars(title: String, items: [(String, Double)], unit: String = "") -> String {
        guard !items.isEmpty, let top = items.map(\.1).max(), top > 0 else { return empty(title) }
        let rowH = 24.0, labelW = 170.0, w = 560.0, h = rowH * Double(items.count) + 8
        var out = "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\"><title>\(escape(title))</title>"
        for (i, item) in items.enumerated() {
            let y = 4 + Double(i) * rowH, bw = item.1 / top * (w - labelW - 70)
            out += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + 16))\" class=\"tick\" text-anchor=\"end\">\(escape(item.0))</text>"
            out += "<rect x=\"\(f(labelW))\" y=\"\(f(y + 3))\" width=\"\(f(bw))\" height=\"\(f(rowH - 6))\" fill=\"\(palette[i % palette.count])\"/>"
            out += "<text x=\"\(f(labelW + bw + 6))\" y=\"\(f(y + 16))\" class=\"tick\">\(number(item.1))\(unit)</text>"
        }
        return out + "</svg>"
    }

    /// A 0–100 % gauge bar with the value written on it; n/a when there is none.
    static func gauge(title: String, percent: Double?) -> String {
        guard let p = percent else { return empty(title) }
        let filled = max(0, min(100, p)) / 100 * 400
        let color = p >= 95 ? palette[2] : p >= 80 ? palette[1] : palette[3]
        return "<svg viewBox=\"0 0 560 36\" role=\"img\"><title>\(escape(title))</title>"
            + "<text x=\"140\" y=\"23\" class=\"tick\" text-anchor=\"end\">\(escape(title))</text>"
            + "<rect x=\"150\" y=\"8\" width=\"400\" height=\"20\" class=\"track\"/>"
            + "<rect x=\"150\" y=\"8\" width=\"\(f(filled))\" height=\"20\" fill=\"\(color)\"/>"
            // On the bar when it has room, after it (dark) when it has not.
            + (filled >= 60 ? "<text x=\"156\" y=\"23\" class=\"on\">\(f(p)) %</text></svg>"
                            : "<text x=\"\(f(156 + filled))\" y=\"23\" class=\"tick\">\(f(p)) %</text></svg>")
    }
}
