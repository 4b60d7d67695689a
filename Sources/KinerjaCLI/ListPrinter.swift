import Foundation
import Varlink

/// Prints a listing while its replies arrive (the daemon streams lists in parts of a few hundred
/// rows), so kinerjactl holds one part at a time however long the list is.
///
/// As a table: the header and the column widths come from the first part; a wider cell in a later
/// part pushes the rest of its line right. With `--json`: one JSON document, as for any other
/// command, whose array is written element by element: a bare array, or, with `jsonKey`, an object
/// holding the array under that key and the `trailer` fields given to `finish`.
final class ListPrinter {
    let options: GlobalOptions
    let headers: [String]
    let numeric: Set<Int>
    let cells: (JSONValue) -> [String]
    let jsonKey: String?
    /// Rows printed so far.
    private(set) var count = 0
    private var widths: [Int]?
    private var jsonOpen = false

    init(options: GlobalOptions, headers: [String], numeric: Set<Int> = [], jsonKey: String? = nil,
         cells: @escaping (JSONValue) -> [String]) {
        self.options = options
        self.headers = headers
        self.numeric = numeric
        self.jsonKey = jsonKey
        self.cells = cells
    }

    /// Prints one part of the list.
    func add(_ items: [JSONValue]) {
        defer { count += items.count }
        if options.json {
            openJSON()
            for (index, item) in items.enumerated() {
                let text = item.serializedString(.init(sortedKeys: true, prettyPrinted: true))
                print((count + index == 0 ? "" : ",\n") + text, terminator: "")
            }
            return
        }
        guard !options.quiet, !items.isEmpty else { return }
        let table = Table(headers: headers, rows: items.map(cells), numeric: numeric)
        if widths == nil {
            let first = table.columnWidths()
            widths = first
            print(table.line(headers, widths: first))
        }
        for row in table.rows { print(table.line(row, widths: widths!)) }
    }

    /// Ends the list: closes the JSON document (with `trailer` beside the array when `jsonKey` is
    /// set), or prints `empty` when no row came.
    func finish(trailer: [String: JSONValue] = [:], empty: String) {
        if options.json {
            openJSON()
            var close = count == 0 ? "]" : "\n]"
            if jsonKey != nil {
                for key in trailer.keys.sorted() {
                    close += ",\n" + JSONValue.string(key).serializedString(.compact) + ": "
                        + trailer[key]!.serializedString(.init(sortedKeys: true))
                }
                close += "\n}"
            }
            print(close)
        } else if !options.quiet && count == 0 {
            print(empty)
        }
    }

    private func openJSON() {
        guard !jsonOpen else { return }
        jsonOpen = true
        if let jsonKey {
            print("{\n" + JSONValue.string(jsonKey).serializedString(.compact) + ": [")
        } else {
            print("[")
        }
    }
}
