#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The identity of the process at the other end of a Unix socket, as the kernel reports it
/// (`SO_PEERCRED` and `SO_PEERGROUPS`, taken when the peer connected).
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// The peer's supplementary groups (`SO_PEERGROUPS`); empty when the kernel did not tell.
    public var supplementaryGroups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32] = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.supplementaryGroups = supplementaryGroups
    }

    public var description: String { "pid=\(pid) uid=\(uid) gid=\(gid)" }

    /// The credentials of this process (useful in tests).
    public static var current: PeerCredentials {
        PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())
    }
}

#if os(Linux)
/// Memory layout of Linux `struct ucred`.
private struct RawUcred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// `SO_PEERCRED` (asm-generic value; the same on x86-64 and arm64).
private let soPeerCred: CInt = 17
/// `SO_PEERGROUPS` (Linux 4.13; asm-generic value).
private let soPeerGroups: CInt = 59
/// Room for supplementary groups read with `SO_PEERGROUPS`. A peer with more fails the read
/// (ERANGE) and is judged by its primary group and the group database alone.
private typealias RawPeerGroups = InlineArray<256, UInt32>
#endif

extension PeerCredentials {
    /// Reads `SO_PEERCRED` of a connected Unix socket channel; `nil` when the platform or channel
    /// cannot tell.
    static func read(from channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<RawUcred> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: soPeerCred))
        // SO_PEERGROUPS writes as many gids as the peer has and leaves the rest of the (zeroed)
        // buffer alone; the option's length is not returned through NIO, so zeros are dropped:
        // gid 0 is root's group, never an admin group of its own.
        let groups: EventLoopFuture<[UInt32]> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: soPeerGroups)
        ).map { (raw: RawPeerGroups) -> [UInt32] in
            var gids: [UInt32] = []
            for index in raw.indices where raw[index] != 0 { gids.append(raw[index]) }
            return gids
        }.recover { _ in [] }
        return future.and(groups).map { raw, groups in
            PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid, supplementaryGroups: groups)
        }.recover { _ in nil }
        #else
        return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}
