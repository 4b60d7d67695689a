/// A one-line chart of a series: `▁▂▄▇█`.
///
/// Used by `kinerjactl flags show` for the relevant scores over periods. Eight levels
/// (▁▂▃▄▅▆▇█); a missing value is `·`. On a given range, a value at the lower end is ▁ and at the upper
/// end █, values outside are clamped. Without a range the series' own minimum and maximum are used; a
/// flat series (or a range of zero width) is drawn at the middle level ▄.
public enum Sparkline {
    public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    public static let missing: Character = "·"

    public static func render(_ values: [Double?], range: ClosedRange<Double>? = nil) -> String {
        let present = values.compactMap { $0 }.filter(\.isFinite)
        guard let low = range?.lowerBound ?? present.min(), let high = range?.upperBound ?? present.max() else {
            return String(repeating: missing, count: values.count)
        }
        return String(values.map { value -> Character in
            guard let value, value.isFinite else { return missing }
            guard high - low > 1e-12 else { return levels[3] }
            let position = (min(max(value, low), high) - low) / (high - low)
            return levels[min(levels.count - 1, Int((position * Double(levels.count - 1)).rounded()))]
        })
    }

    /// A series without gaps.
    public static func render(_ values: [Double], range: ClosedRange<Double>? = nil) -> String {
        render(values.map { Optional($0) }, range: range)
    }
}
