import Foundation
import KinerjaDomain
import Varlink

/// How kinerjactl prints: aligned tables and short sentences, or the reply's JSON with `--json`.
struct Output {
    let options: GlobalOptions

    /// Prints the JSON document (sorted keys, pretty) when `--json`, else runs `human`.
    func emit(_ reply: [String: JSONValue], human: () -> Void) {
        if options.json {
            print(JSONValue.object(reply).serializedString(.init(sortedKeys: true, prettyPrinted: true)))
        } else if !options.quiet {
            human()
        }
    }

    func emit(_ value: JSONValue, human: () -> Void) {
        if options.json {
            print(value.serializedString(.init(sortedKeys: true, prettyPrinted: true)))
        } else if !options.quiet {
            human()
        }
    }

    /// A sentence, unless `--quiet` (in `--json` mode the JSON is printed instead by `emit`).
    func say(_ text: String) {
        if !options.quiet && !options.json { print(text) }
    }
}

/// A plain-text table with left-aligned columns (numbers right-aligned). Cells and headers are
/// printed through ``TerminalText/escape(_:)``: a control character in a stored name shows as
/// `\e`, `\n`, `\x07`, … and cannot move the cursor or start a row of its own.
struct Table {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns to right-align (counts, sizes).
    var numeric: Set<Int> = []

    func render() -> String {
        let widths = columnWidths()
        return ([line(headers, widths: widths)] + rows.map { line($0, widths: widths) }).joined(separator: "\n")
    }

    /// The width of each column: its widest cell as printed (escaped), header included.
    func columnWidths() -> [Int] {
        let headers = self.headers.map(TerminalText.escape)
        let rows = self.rows.map { $0.map(TerminalText.escape) }
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return widths
    }

    /// One line with the cells escaped and padded to `widths` (a wider cell pushes the rest of its
    /// line right).
    func line(_ cells: [String], widths: [Int]) -> String {
        cells.map(TerminalText.escape).enumerated().map { i, cell in
            let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : 0) - cell.count))
            return numeric.contains(i) ? pad + cell : cell + pad
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}

/// Two-column "key: value" lines with the keys aligned; values escaped like table cells.
func keyValueLines(_ pairs: [(String, String)]) -> String {
    let width = pairs.map(\.0.count).max() ?? 0
    return pairs.map { key, value in
        key + ":" + String(repeating: " ", count: width - key.count + 1) + TerminalText.escape(value)
    }.joined(separator: "\n")
}

extension JSONValue {
    /// Text for a table cell: strings as they are, numbers plainly, null as "-".
    var cellText: String {
        switch self {
        case .null: return "-"
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(format: "%.2f", d)
        case .bool(let b): return b ? "yes" : "no"
        default: return serializedString(.compact)
        }
    }
}
