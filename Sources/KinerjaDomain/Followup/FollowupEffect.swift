import Foundation

/// One follow-up as the effect report reads it.
public struct FollowupEffectRow: Sendable, Hashable {
    /// The employee's unit (`-` when unknown).
    public var unit: String
    /// The action agreed, or nil when the follow-up was never held.
    public var action: FollowupAgreedAction?
    /// Held on or before its due date.
    public var heldOnTime: Bool
    /// Days from the task's creation to the dialog; nil when not held.
    public var daysToDialog: Int?
    /// How many closed periods (of the flag's kind, closed after the task was created) it took until the
    /// analysis found the flag's condition cleared; nil while it holds.
    public var clearedWithin: Int?
    /// The perilaku mean in the first closed period after the flag's window minus the one in its last
    /// period; nil until both exist.
    public var perilakuChange: Double?
    /// The same for the predikat, on its rank (Sangat Kurang 0 … Sangat Baik 4).
    public var predikatChange: Int?

    public init(unit: String, action: FollowupAgreedAction?, heldOnTime: Bool, daysToDialog: Int?, clearedWithin: Int?,
                perilakuChange: Double?, predikatChange: Int?) {
        self.unit = unit
        self.action = action
        self.heldOnTime = heldOnTime
        self.daysToDialog = daysToDialog
        self.clearedWithin = clearedWithin
        self.perilakuChange = perilakuChange
        self.predikatChange = predikatChange
    }
}

/// One cell of the effect report: a unit (or all units, `unit == nil`) and a group (an action agreed,
/// or `not_held`). `flags` is always given; the other figures are nil when `suppressed` (fewer than the
/// minimum), and a mean or median is nil too when no row has the number.
public struct FollowupEffectCell: Sendable, Hashable {
    public var unit: String?
    /// An action's raw value or `not_held`.
    public var group: String
    public var flags: Int
    public var suppressed: Bool
    public var heldOnTime: Int?
    public var medianDaysToDialog: Double?
    public var clearedWithinOne: Double?
    public var clearedWithinTwo: Double?
    public var meanPerilakuChange: Double?
    public var meanPredikatChange: Double?
}

/// The follow-up effect report: counts and shares per group, side by side with the follow-ups never
/// held. Descriptive only: it says how often flags cleared after each kind of action, not why.
///
/// Rule implemented (docs/admin-guide.md, "Follow-up report"): each cell counts its follow-ups; a cell
/// with fewer than `minimum` shows only that count (privacy: a small cell points at people); shares
/// are of the cell's follow-ups; the median of days counts held ones only; means are over the rows
/// that have the number. Groups in the order of `FollowupAgreedAction`, then `not_held`; units sorted,
/// then the all-units cells.
public enum FollowupEffect {
    public static let notHeld = "not_held"
    public static let groups = FollowupAgreedAction.allCases.map(\.rawValue) + [notHeld]

    public static func cells(_ rows: [FollowupEffectRow], minimum: Int) -> [FollowupEffectCell] {
        let units = Set(rows.map(\.unit)).sorted()
        var cells: [FollowupEffectCell] = []
        for unit in units.map(Optional.some) + [nil] {
            for group in groups {
                let members = rows.filter { (unit == nil || $0.unit == unit) && ($0.action?.rawValue ?? notHeld) == group }
                guard !members.isEmpty else { continue }
                cells.append(cell(members, unit: unit, group: group, minimum: minimum))
            }
        }
        return cells
    }

    static func cell(_ rows: [FollowupEffectRow], unit: String?, group: String, minimum: Int) -> FollowupEffectCell {
        let n = rows.count
        guard n >= minimum else {
            return FollowupEffectCell(unit: unit, group: group, flags: n, suppressed: true)
        }
        let days = rows.compactMap(\.daysToDialog).sorted()
        let perilaku = rows.compactMap(\.perilakuChange), predikat = rows.compactMap(\.predikatChange)
        return FollowupEffectCell(
            unit: unit, group: group, flags: n, suppressed: false, heldOnTime: rows.filter(\.heldOnTime).count,
            medianDaysToDialog: median(days),
            clearedWithinOne: Double(rows.filter { ($0.clearedWithin ?? .max) <= 1 }.count) / Double(n),
            clearedWithinTwo: Double(rows.filter { ($0.clearedWithin ?? .max) <= 2 }.count) / Double(n),
            meanPerilakuChange: perilaku.isEmpty ? nil : perilaku.reduce(0, +) / Double(perilaku.count),
            meanPredikatChange: predikat.isEmpty ? nil : Double(predikat.reduce(0, +)) / Double(predikat.count))
    }

    static func median(_ sorted: [Int]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
    }
}

extension FollowupEffectCell {
    init(unit: String?, group: String, flags: Int, suppressed: Bool) {
        self.init(unit: unit, group: group, flags: flags, suppressed: suppressed, heldOnTime: nil, medianDaysToDialog: nil,
                  clearedWithinOne: nil, clearedWithinTwo: nil, meanPerilakuChange: nil, meanPredikatChange: nil)
    }
}
