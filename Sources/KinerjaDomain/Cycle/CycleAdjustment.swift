/// What an employee import does to the open assignments of an open cycle when employees move,
/// leave or go on leave.
///
/// Rules implemented (docs/admin-guide.md, "Changes during an open cycle"). Submitted reviews are
/// never touched. For an open assignment that involves an employee the import changed:
/// - `self`: cancelled when the subject is inactive (left or on leave).
/// - `atasan`: cancelled when the subject left (pensiun, meninggal, berhenti, or absent/inactive
///   without a reason); otherwise it follows the subject's current atasan (acting appraiser, else
///   supervisor, both active): reassigned when that is someone else, cancelled when there is
///   nobody (or that person already has the review). A subject on leave keeps the review: the
///   atasan can still appraise the months worked. An appraiser outside the file keeps it while the
///   subject still has no atasan in the file.
/// - `bawahan`: kept only while the reviewer is active and still directly supervised by the
///   subject (who is active or on leave).
/// - `rekan`: kept only while the reviewer is active, the subject has not left, and both are in
///   the same unit.
/// Each change is attributed to the changed employee it concerns (the subject first, unless the
/// subject's only change is a new atasan and the reviewer moved or left), with the
/// event: `transfer` (unit changed), `left`, `leave` (cuti), `atasan_change` (supervisor or acting
/// appraiser changed within the unit). Linear in the assignments looked at.
public enum CycleAdjustment {
    /// Why an employee's change touches the cycle.
    public enum Event: String, Sendable, Hashable, Codable {
        case transfer
        case left
        case leave
        case atasanChange = "atasan_change"
    }

    /// One open assignment of the cycle, as stored.
    public struct OpenAssignment: Sendable, Hashable {
        public var id: Int64
        public var key: AssignmentKey
        public init(id: Int64, key: AssignmentKey) {
            self.id = id
            self.key = key
        }
    }

    /// A change to one assignment: reassigned to `newReviewer`, or cancelled when nil.
    public struct Change: Sendable, Hashable {
        public var assignment: OpenAssignment
        public var newReviewer: NIP?
        /// `Plt.`/`Plh.` when the new reviewer is an acting appraiser.
        public var newSource: AtasanSource?
        /// The changed employee it is attributed to.
        public var employee: NIP
        public var event: Event
    }

    /// An employee whose change touches the cycle: what happened, in words, and the changes.
    public struct EmployeeEvent: Sendable, Hashable {
        public var nip: NIP
        public var event: Event
        public var detail: String
        public var reassigned: Int
        public var cancelled: Int
    }

    /// The changed employees' events, from their state before and after the import.
    public static func events(before: [NIP: Employee], after: [NIP: Employee]) -> [NIP: (Event, String)] {
        var result: [NIP: (Event, String)] = [:]
        for (nip, old) in before {
            guard let new = after[nip], let e = event(old: old, new: new) else { continue }
            result[nip] = e
        }
        return result
    }

    /// The event of one employee stored as `old` and `new` after the import, or nil when the change
    /// does not touch a cycle.
    public static func event(old: Employee, new: Employee) -> (Event, String)? {
        guard old.aktif else { return nil }
        if !new.aktif {
            let reason = new.inactiveReason
            return reason == .cuti ? (.leave, "on leave (cuti)")
                : (.left, reason.map { "left (\($0.rawValue))" } ?? "left (inactive or absent from the file)")
        } else if old.unit != new.unit {
            return (.transfer, "moved from \(old.unit) to \(new.unit)")
        } else if old.supervisor != new.supervisor || old.acting != new.acting {
            func atasan(_ e: Employee) -> String {
                e.acting.map { "\($0.kind.rawValue) \($0.nip)" } ?? e.supervisor?.description ?? "none"
            }
            return (.atasanChange, "atasan changed from \(atasan(old)) to \(atasan(new))")
        }
        return nil
    }

    /// The changes to `open` (the unsubmitted assignments of the cycle), given the employees after
    /// the import, the changed employees' `events` and every key in the cycle (to avoid duplicates).
    public static func changes(open: [OpenAssignment], existing: Set<AssignmentKey>, after: [NIP: Employee],
                               events: [NIP: (Event, String)]) -> [Change] {
        var existing = existing
        var result: [Change] = []
        func active(_ nip: NIP) -> Bool { after[nip]?.aktif == true }
        func onLeave(_ nip: NIP) -> Bool { after[nip].map { !$0.aktif && $0.inactiveReason == .cuti } ?? false }
        func left(_ nip: NIP) -> Bool { !active(nip) && !onLeave(nip) }
        func currentAtasan(_ nip: NIP) -> (NIP, AtasanSource?)? {
            guard let e = after[nip] else { return nil }
            if let acting = e.acting, active(acting.nip) { return (acting.nip, acting.kind == .plt ? .plt : .plh) }
            if let s = e.supervisor, active(s) { return (s, nil) }
            return nil
        }
        for a in open {
            let k = a.key
            // The subject's event first, unless it is only an atasan change and the reviewer moved or left.
            let subjectEvent = events[k.subject]?.0, reviewerEvent = events[k.reviewer]?.0
            let blame = subjectEvent != nil && (reviewerEvent == nil || subjectEvent != .atasanChange) ? k.subject : k.reviewer
            guard let (event, _) = events[blame] else { continue }
            func cancel() { result.append(Change(assignment: a, newReviewer: nil, newSource: nil, employee: blame, event: event)) }
            switch k.role {
            case .selfAssessment:
                if !active(k.subject) { cancel() }
            case .atasan:
                if left(k.subject) { cancel(); continue }
                let outsideReviewer = after[k.reviewer] == nil
                guard let (atasan, source) = currentAtasan(k.subject) else {
                    if !outsideReviewer { cancel() }
                    continue
                }
                if atasan == k.reviewer { continue }
                let moved = AssignmentKey(subject: k.subject, reviewer: atasan, role: .atasan)
                if existing.contains(moved) { cancel(); continue }
                existing.remove(k)
                existing.insert(moved)
                result.append(Change(assignment: a, newReviewer: atasan, newSource: source, employee: blame, event: event))
            case .bawahan:
                if !active(k.reviewer) || left(k.subject) || after[k.reviewer]?.supervisor != k.subject { cancel() }
            case .rekan:
                if !active(k.reviewer) || left(k.subject) || after[k.reviewer]?.unit != after[k.subject]?.unit { cancel() }
            }
        }
        return result
    }

    /// One event per changed employee who has changes, sorted by NIP.
    public static func summary(_ changes: [Change], events: [NIP: (Event, String)]) -> [EmployeeEvent] {
        var byEmployee: [NIP: EmployeeEvent] = [:]
        for c in changes {
            let (event, detail) = events[c.employee]!
            var e = byEmployee[c.employee] ?? EmployeeEvent(nip: c.employee, event: event, detail: detail, reassigned: 0, cancelled: 0)
            if c.newReviewer == nil { e.cancelled += 1 } else { e.reassigned += 1 }
            byEmployee[c.employee] = e
        }
        return byEmployee.keys.sorted().map { byEmployee[$0]! }
    }
}
