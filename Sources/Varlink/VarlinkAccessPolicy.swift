#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a connected peer may call.
public enum VarlinkAccessLevel: Sendable, Hashable {
    /// Every method: a privileged peer.
    case full
    /// Only methods of the `public` and `read` classes (see ``VarlinkMethod/accessClass``) and
    /// `org.varlink.service`.
    case restricted

    /// A privileged peer: may call `admin` methods and is counted against the connections kept
    /// free for such peers.
    public var isPrivileged: Bool { self == .full }
}

/// Decides, once per connection, what the peer may call. The server applies the decision at
/// dispatch: a restricted peer calling an `admin` method gets `org.varlink.service.PermissionDenied`.
public protocol VarlinkAccessPolicy: Sendable {
    /// The access level for a peer; `nil` credentials mean the kernel did not tell who it is.
    func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel
}

extension VarlinkAccessLevel {
    /// Whether this level allows calling `method` of `interface` (the one place that applies the
    /// access classes).
    public func allows(interface: String, method: VarlinkMethod) -> Bool {
        switch self {
        case .full: return true
        case .restricted: return interface == VarlinkServiceInterface.name || method.accessClass < .admin
        }
    }
}

/// Everyone may call everything (tests, or a socket whose file permissions already restrict access).
public struct AllowAllPolicy: VarlinkAccessPolicy {
    public init() {}
    public func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel { .full }
}

/// Root and members of one group may call everything; everyone else only `public` and `read` methods.
///
/// Membership: the peer's primary gid (from `SO_PEERCRED`) is the group's gid, the peer process
/// holds the group as a supplementary group (`SO_PEERGROUPS`: e.g. after `newgrp`, or `sg`, or a
/// service with `SupplementaryGroups=`), or the peer's user (`getpwuid`) lists the group among its
/// groups (`getgrouplist`, which reads `/etc/group`). The group is looked up (`getgrnam`) at each
/// decision, so a group created after start is seen. A group that does not exist admits nobody but
/// root.
public struct AdminGroupPolicy: VarlinkAccessPolicy {
    public var groupName: String

    public init(groupName: String) {
        self.groupName = groupName
    }

    public func accessLevel(for peer: PeerCredentials?) -> VarlinkAccessLevel {
        guard let peer else { return .restricted }
        if peer.uid == 0 { return .full }
        guard let adminGID = UnixUserDatabase.groupID(named: groupName) else { return .restricted }
        if peer.gid == adminGID { return .full }
        if peer.supplementaryGroups.contains(adminGID) { return .full }
        if UnixUserDatabase.groupIDs(ofUserID: peer.uid).contains(adminGID) { return .full }
        return .restricted
    }
}

/// Reentrant look-ups in the user and group databases (NSS).
public enum UnixUserDatabase {
    /// The gid of the group called `name`, or `nil` when there is none.
    public static func groupID(named name: String) -> UInt32? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var size = 1024
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let status = getgrnam_r(name, &group, &buffer, size, &result)
            if status == ERANGE && size < 1 << 20 {
                size *= 4
                continue
            }
            guard status == 0, result != nil else { return nil }
            return UInt32(group.gr_gid)
        }
    }

    /// The name and primary gid of the user with `uid`, or `nil` when there is none.
    public static func user(withID uid: UInt32) -> (name: String, gid: UInt32)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var size = 1024
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let status = getpwuid_r(uid_t(uid), &entry, &buffer, size, &result)
            if status == ERANGE && size < 1 << 20 {
                size *= 4
                continue
            }
            guard status == 0, result != nil, let namePointer = entry.pw_name else { return nil }
            return (String(cString: namePointer), UInt32(entry.pw_gid))
        }
    }

    /// All gids of the user with `uid` (primary and supplementary); empty when the user is unknown.
    public static func groupIDs(ofUserID uid: UInt32) -> [UInt32] {
        guard let user = user(withID: uid) else { return [] }
        var count: CInt = 32
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var found = count
            let status = getgrouplist(user.name, gid_t(user.gid), &groups, &found)
            if status == -1 {
                guard found > count, found < 65_536 else { return [user.gid] }
                count = found
                continue
            }
            return groups.prefix(Int(found)).map { UInt32($0) }
        }
    }
}
