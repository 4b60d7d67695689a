import Foundation

/// The outcome of asking when a calendar expression elapses next.
public enum CalendarElapse: Sendable, Hashable {
    /// It elapses at this time.
    case at(SystemdTimestamp)
    /// It never elapses again (systemd prints "never").
    case never
    /// systemd gives up (it prints "Failed to determine next elapse").
    case failed(CalendarElapseFailure)

    /// The time, if there is one.
    public var timestamp: SystemdTimestamp? {
        if case .at(let timestamp) = self { return timestamp }
        return nil
    }
}

/// Why systemd cannot compute a next elapse.
public enum CalendarElapseFailure: Sendable, Hashable {
    /// The base time or the result lies outside 1970...9999 (`EINVAL`).
    case outOfRange
    /// The search did not settle within systemd's 1000 steps (`EDEADLK`).
    case noConvergence
}

extension CalendarSpec {
    /// The zone the expression is evaluated in: its own zone if it names one, else `localZone`.
    public func evaluationZone(localZone: ZoneInfo, database: ZoneInfoDatabase = .system) -> ZoneInfo {
        switch zone {
        case .utc: return .utc
        case .named(let name): return (try? database.zone(named: name)) ?? .utc
        case .local, .localAbbreviation: return localZone
        }
    }

    /// The first elapse strictly after `base`, as systemd 252 computes it.
    ///
    /// - Parameters:
    ///   - base: the time after which to look.
    ///   - localZone: the zone used when the expression names none.
    ///   - database: where a zone named in the expression is loaded from.
    public func nextElapse(
        after base: SystemdTimestamp, localZone: ZoneInfo, database: ZoneInfoDatabase = .system
    ) -> CalendarElapse {
        nextElapseTracking(after: base, localZone: localZone, database: database).elapse
    }

    /// The next elapse, and the last time the computation converted to local time in the process
    /// itself (systemd computes an expression with its own zone in a child process, and UTC ones
    /// with `gmtime_r`): glibc's `tzname` is left at that moment's abbreviations.
    func nextElapseTracking(
        after base: SystemdTimestamp, localZone: ZoneInfo, database: ZoneInfoDatabase
    ) -> (elapse: CalendarElapse, lastLocaltime: Int64?) {
        // A UTC expression uses gmtime_r, which applies the leap seconds of the process's zone:
        // the named zone's (in systemd's child process) or the local one.
        var processZone = evaluationZone(localZone: localZone, database: database)
        if case .utc = zone {
            processZone = childZoneName.flatMap { try? database.zone(named: $0) } ?? localZone
        }
        var evaluator = CalendarEvaluator(spec: self, zone: processZone)
        let elapse: CalendarElapse
        do {
            elapse = .at(SystemdTimestamp(microseconds: try evaluator.next(after: base.microseconds)))
        } catch .never {
            elapse = .never
        } catch .noConvergence {
            elapse = .failed(.noConvergence)
        } catch {
            elapse = .failed(.outOfRange)
        }
        if hasOwnZoneName { return (elapse, nil) }
        return (elapse, evaluator.libc.lastConverted)
    }

    /// Up to `count` successive elapses after `base` (fewer when the expression stops elapsing).
    public func elapses(
        after base: SystemdTimestamp, count: Int, localZone: ZoneInfo, database: ZoneInfoDatabase = .system
    ) -> [SystemdTimestamp] {
        var result: [SystemdTimestamp] = []
        var current = base
        while result.count < count, let next = nextElapse(after: current, localZone: localZone, database: database)
            .timestamp
        {
            result.append(next)
            current = next
        }
        return result
    }

    /// The first elapse strictly after `date`, evaluated in the expression's own zone if it has
    /// one, else in `localZone`; nil when it never elapses again.
    public func nextElapse(after date: Date, in localZone: TimeZone) -> Date? {
        let database = ZoneInfoDatabase.system
        return nextElapse(after: SystemdTimestamp(date), localZone: database.zone(for: localZone), database: database)
            .timestamp?.date
    }
}
