/// One element of a calendar expression field: a value, a range `a..b`, and/or a repetition
/// `/n` (e.g. `05`, `1..5`, `0/15`, `8..18/2`).
///
/// For the seconds field the numbers are microseconds (`23.420000` is stored as 23420000).
public struct CalendarComponent: Sendable, Hashable, Comparable {
    /// The first value matched.
    public var start: Int
    /// The last value matched, for ranges.
    public var stop: Int?
    /// The step between matched values; 0 when the element does not repeat.
    public var repetition: Int

    /// Creates an element; `repetition` 0 means no repetition.
    public init(start: Int, stop: Int? = nil, repetition: Int = 0) {
        self.start = start
        self.stop = stop
        self.repetition = repetition
    }

    /// systemd's encoding of a missing stop value.
    var rawStop: Int { stop ?? -1 }

    public static func < (lhs: CalendarComponent, rhs: CalendarComponent) -> Bool {
        if lhs.start != rhs.start { return lhs.start < rhs.start }
        if lhs.rawStop != rhs.rawStop { return lhs.rawStop < rhs.rawStop }
        return lhs.repetition < rhs.repetition
    }

    /// Normalises one element as systemd does before validating: the stop is pulled back onto
    /// the repetition grid, and a repetition that cannot fire twice (or a range of one value)
    /// becomes a plain value.
    func normalized() -> CalendarComponent {
        var copy = self
        if let stop = copy.stop, stop > copy.start, copy.repetition > 0 {
            copy.stop = stop - (stop - copy.start) % copy.repetition
        }
        if let stop = copy.stop {
            if (stop > copy.start && copy.repetition > 0 && copy.start + copy.repetition > stop) || copy.start == stop {
                copy.repetition = 0
                copy.stop = nil
            }
        }
        return copy
    }

    /// Sorts a field's elements and drops duplicates (after each was normalised).
    static func normalizedChain(_ chain: [CalendarComponent]) -> [CalendarComponent] {
        var result: [CalendarComponent] = []
        for element in chain.map({ $0.normalized() }).sorted() where result.last != element {
            result.append(element)
        }
        return result
    }

    /// The first violated limit of systemd's `chain_valid()` for this element, if any.
    ///
    /// - Parameters:
    ///   - range: the field's allowed values.
    ///   - endOfMonth: whether the element counts days back from the end of the month (`~`),
    ///     which allows at most 28.
    ///   - render: how to print a value of the field in a message.
    func violation(
        of range: ClosedRange<Int>, endOfMonth: Bool, render: (Int) -> String = { String($0) }
    ) -> String? {
        let from = range.lowerBound
        let to = endOfMonth ? range.upperBound - 3 : range.upperBound
        if start < from || start > to {
            return "value \(render(start)) is out of range \(render(from))..\(render(to))"
        }
        if repetition > to - from {
            return "repetition \(render(repetition)) is larger than the field's span \(render(to - from))"
        }
        if let stop {
            if stop < from || stop > to { return "range end \(render(stop)) is out of range \(render(from))..\(render(to))" }
            if start + repetition > stop { return "range \(render(start))..\(render(stop)) ends before it starts" }
        } else if endOfMonth && start - repetition < from {
            return "repetition \(render(repetition)) from the \(render(start))th last day reaches before the first day"
        } else if !endOfMonth && start + repetition > to {
            return "repetition \(render(repetition)) from \(render(start)) never fires again within \(render(from))..\(render(to))"
        }
        return nil
    }
}
