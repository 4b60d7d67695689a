import Foundation

/// When a scheduled job is due, the way systemd treats a timer with `Persistent=true`: the job's last
/// completed slot is stored; a slot that passed while the daemon was down runs once at the next
/// start (not once per missed slot); wall-clock steps never run one slot twice, because the next
/// slot is always computed after the stored one, never from "now minus something".
public struct JobSchedule: Sendable {
    public let spec: CalendarSpec
    public let localZone: ZoneInfo
    public let database: ZoneInfoDatabase

    /// At most this many slots are walked to find the latest missed one (a minutely job after a
    /// year of downtime); past it the job still runs once and the stored slot jumps to `now`.
    public static let maximumWalk = 100_000

    public init(spec: CalendarSpec, localZone: ZoneInfo, database: ZoneInfoDatabase = .system) {
        self.spec = spec
        self.localZone = localZone
        self.database = database
    }

    /// The first slot strictly after `instant`, or nil when the expression never elapses again.
    public func slot(after instant: Date) -> Date? {
        spec.nextElapse(after: SystemdTimestamp(instant), localZone: localZone, database: database).timestamp?.date
    }

    /// The decision at `now` for a job whose last completed slot is `lastSlot` (nil: never ran; then
    /// `registeredAt`, when the job was first seen, is the base, so a new job waits for its first slot).
    public func decide(lastSlot: Date?, registeredAt: Date, now: Date) -> Decision {
        let base = lastSlot ?? registeredAt
        guard let first = slot(after: base) else { return Decision(runSlot: nil, missedSlots: 0, next: nil) }
        guard first <= now else { return Decision(runSlot: nil, missedSlots: 0, next: first) }
        // Due. Walk to the latest slot not after now: it is the one recorded, so the missed ones in
        // between are covered by this single run.
        var latest = first
        var missed = 0
        while missed < Self.maximumWalk, let following = slot(after: latest), following <= now {
            latest = following
            missed += 1
        }
        if missed == Self.maximumWalk { latest = now }
        return Decision(runSlot: latest, missedSlots: missed, next: slot(after: latest))
    }

    /// What `decide` found.
    public struct Decision: Sendable, Equatable {
        /// The slot to run now and record when done; nil when nothing is due.
        public var runSlot: Date?
        /// Slots that passed unrun before `runSlot` (catch-up runs them as one).
        public var missedSlots: Int
        /// The next slot after `runSlot` (or the upcoming one when nothing is due); nil for never.
        public var next: Date?
    }
}
