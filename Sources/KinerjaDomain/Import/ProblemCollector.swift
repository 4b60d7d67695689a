/// Rule implemented: problems are listed up to a cap (`imports.problem_cap`), the total always counted.
///
/// Collects problems while keeping only the first `cap` of them by (line, column), so memory stays
/// bounded on a file of 10,000 bad rows, yet problems found late (duplicates, loops) are still
/// reported at their proper place. Counts every problem added.
public struct ProblemCollector: Sendable {
    /// Default cap on reported problems per import.
    public static let defaultCap = 100

    public let cap: Int
    public private(set) var totalCount = 0
    private var kept: [ImportProblem] = []

    public init(cap: Int = ProblemCollector.defaultCap) {
        self.cap = max(1, cap)
    }

    public mutating func add(_ problem: ImportProblem) {
        totalCount += 1
        if kept.count == cap {
            guard let last = kept.last, ImportProblem.precedes(problem, last) else { return }
            kept.removeLast()
        }
        // Insert after every problem that does not come after it (stable for equal positions).
        var lo = 0, hi = kept.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ImportProblem.precedes(problem, kept[mid]) { hi = mid } else { lo = mid + 1 }
        }
        kept.insert(problem, at: lo)
    }

    public mutating func add(line: Int, column: Int?, columnName: String?, code: ImportProblem.Code,
                             _ message: String) {
        add(ImportProblem(line: line, column: column, columnName: columnName, code: code, message: message))
    }

    public var isEmpty: Bool { totalCount == 0 }

    /// The kept problems, ordered by line and column.
    public var problems: [ImportProblem] { kept }

    public var failure: ImportFailure { ImportFailure(problems: kept, totalCount: totalCount) }
}
