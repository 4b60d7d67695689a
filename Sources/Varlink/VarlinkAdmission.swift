/// Which connections the server takes, decided from the peer's credentials once they are known.
///
/// Every connection counts against ``VarlinkServer/Configuration/maxConnections``. An unprivileged
/// peer is refused once its uid holds ``VarlinkServer/Configuration/maxConnectionsPerUID``
/// connections, or once unprivileged peers together hold all but
/// ``VarlinkServer/Configuration/reservedPrivilegedConnections``: one local user holding
/// connections open cannot lock the others out, and no crowd of them can lock out an admin.
public struct VarlinkAdmission: Sendable, Hashable {
    /// Connections served now.
    public private(set) var total = 0
    /// Connections of unprivileged peers served now.
    public private(set) var unprivileged = 0
    /// Connections of unprivileged peers per uid (`nil`: the kernel did not say who).
    public private(set) var perUID: [UInt32?: Int] = [:]

    public init() {}

    /// Why a connection was refused.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// Every connection is taken.
        case serverFull(limit: Int)
        /// This uid holds its share.
        case uidLimit(uid: UInt32?, limit: Int)
        /// Only the connections kept for privileged peers are left.
        case reservedForPrivileged(reserved: Int)

        public var description: String {
            switch self {
            case .serverFull(let limit): return "all \(limit) connections are in use"
            case .uidLimit(let uid, let limit): return "uid \(uid.map(String.init) ?? "unknown") holds \(limit) connections, its limit"
            case .reservedForPrivileged(let reserved): return "the last \(reserved) connections are kept for admins"
            }
        }
    }

    /// Takes the connection and counts it, or says why not (and counts nothing).
    public mutating func admit(
        uid: UInt32?, privileged: Bool, limits: VarlinkServer.Configuration
    ) -> Refusal? {
        guard total < limits.maxConnections else { return .serverFull(limit: limits.maxConnections) }
        if !privileged {
            let held = perUID[uid, default: 0]
            guard held < limits.maxConnectionsPerUID else {
                return .uidLimit(uid: uid, limit: limits.maxConnectionsPerUID)
            }
            guard unprivileged < limits.maxConnections - limits.reservedPrivilegedConnections else {
                return .reservedForPrivileged(reserved: limits.reservedPrivilegedConnections)
            }
            perUID[uid] = held + 1
            unprivileged += 1
        }
        total += 1
        return nil
    }

    /// Forgets a connection that ``admit(uid:privileged:limits:)`` took.
    public mutating func release(uid: UInt32?, privileged: Bool) {
        total -= 1
        guard !privileged else { return }
        unprivileged -= 1
        let held = perUID[uid, default: 1] - 1
        perUID[uid] = held > 0 ? held : nil
    }
}
