import Foundation
import KinerjaDomain

/// A follow-up the demo data set plans: an employee whose flag reaches the warning severity at the
/// close of period `taskPeriod` (so the follow-up pass gives them a task dated at that close), what
/// their atasan records (`kinerjactl demo load` records it through the same use case as `kinerjactl
/// followups record` and the atasan's page), and whether their scores recover afterwards.
///
/// The pattern is `stalled_development` (predikat Butuh Perbaikan and no training; a recovery raises
/// the scores to a predikat of Baik, and a training agreed at the dialog is recorded, so the flag's
/// condition clears at the next close) or `recognition_gap` (self-assessment well above the atasan's;
/// a recovery narrows the gap under the margin in its first period and closes it in the next, raising
/// the other roles' scores; with the default window of 2 of 3 periods the condition clears one close
/// later, so the flag's last period is the first of the recovery and the next one is better still).
public struct DemoFollowupCase: Sendable, Hashable {
    public var nip: NIP
    public var pattern: DemoPattern
    /// The index of the period whose close creates the task.
    public var taskPeriod: Int
    /// The action agreed; nil when the dialog is never held.
    public var action: FollowupAgreedAction?
    /// Days from the task's creation to the dialog (the task is due after 14: more is late); nil when never held.
    public var heldAfterDays: Int?
    /// The index of the first period with the better scores; nil when they do not recover in the data set.
    public var recoversFrom: Int?

    /// The atasan's note for the action agreed.
    public var note: String {
        switch action {
        case .training?: return "Disepakati mengikuti pelatihan sesuai kebutuhan pengembangan"
        case .mentoring?: return "Mentoring bulanan dengan pejabat fungsional senior"
        case .workloadChange?: return "Pembagian tugas di seksi disesuaikan"
        case .noneNeeded?: return "Kendala sudah teratasi, tidak perlu tindakan lanjutan"
        case .other?: return "Penyesuaian jadwal kerja sementara"
        case nil: return ""
        }
    }

    /// The day the dialog was held, for a task created on `createdOn`.
    public func heldOn(createdOn: CalendarDate) -> CalendarDate? { heldAfterDays.map { createdOn.adding(days: $0) } }

    /// The day to look again: 45 days after the dialog.
    public func nextCheck(createdOn: CalendarDate) -> CalendarDate? { heldOn(createdOn: createdOn)?.adding(days: 45) }
}

extension DemoGenerator {
    /// How the follow-ups go, in a fixed cycle of 20 (so every seed gives the same shares): 14 held
    /// (5 training, 5 mentoring, 2 workload change, 1 none needed, 1 other; 4 of them late), 6 never
    /// held; 10 of the 14 held recover, 1 of the 6 never held.
    static let followupCycle: [(action: FollowupAgreedAction?, late: Bool, recovers: Bool)] = [
        (.training, false, true), (nil, false, false), (.mentoring, false, true), (.training, true, true),
        (nil, false, false), (.workloadChange, false, true), (.mentoring, false, false), (nil, false, true),
        (.training, false, true), (.noneNeeded, false, false), (.mentoring, true, true), (nil, false, false),
        (.training, false, false), (.other, true, true), (nil, false, false), (.mentoring, false, true),
        (.training, false, true), (nil, false, false), (.workloadChange, true, false), (.mentoring, false, true),
    ]

    /// The period whose close raises both patterns to a warning: the second (stalled development is
    /// a warning from its second low period on, the recognition gap from its second period with a gap).
    static let followupTaskPeriod = 1

    /// Chooses the follow-up cases among `pool` (shuffled; employees with an atasan and no planted
    /// pattern) once `periods` leave a period after the task's to recover in: `followupShare` of the
    /// employees, up to half of them (at most 35 % of its people) from the largest unit so that its
    /// cells in the follow-up report are large enough to be shown. `steadyPeers` tells who may have a
    /// recognition gap (see `plant`).
    static func chooseFollowups(spec: DemoSpec, employees: [Employee], pool: [NIP], periods: Int,
                                steadyPeers: (NIP) -> Bool) -> [DemoFollowupCase] {
        let task = followupTaskPeriod
        guard periods > task + 1 else { return [] }
        let target = Int((Double(spec.employees) * spec.followupShare).rounded())
        guard target > 0 else { return [] }
        var rng = SeededRandom(seed: spec.seed, mixing: ["followups"])
        let unitOf = Dictionary(employees.map { ($0.nip, $0.unit) }, uniquingKeysWith: { a, _ in a })
        var sizes: [String: Int] = [:]
        for e in employees where e.aktif { sizes[e.unit, default: 0] += 1 }
        let largest = sizes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let inLargest = pool.filter { unitOf[$0] == largest }
        let first = Array(inLargest.prefix(min(target / 2, Int(Double(inLargest.count) * 0.35))))
        let chosen = Set(first)
        let rest = Array(pool.filter { !chosen.contains($0) }.prefix(target - first.count))
        var cases: [DemoFollowupCase] = []
        for list in [first, rest] {
            for (i, nip) in list.enumerated() {
                let slot = followupCycle[i % followupCycle.count]
                // Training is agreed for stalled development; the other actions follow a dialog about
                // the gap between self-assessment and the atasan's view (when the peers allow one).
                let gap = slot.action != .training && (slot.action != nil || i % 2 == 0) && steadyPeers(nip)
                let days = slot.action == nil ? nil : (slot.late ? 16 + rng.below(19) : 2 + rng.below(11))
                cases.append(DemoFollowupCase(nip: nip, pattern: gap ? .recognitionGap : .stalledDevelopment, taskPeriod: task,
                                              action: slot.action, heldAfterDays: days, recoversFrom: slot.recovers ? task + 1 : nil))
            }
        }
        return cases.sorted { $0.nip < $1.nip }
    }
}
