#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The identity of the process at the other end of a Unix socket, as the kernel reports it
/// (`SO_PEERCRED`, taken when the connection was accepted).
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
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
        return future.map { raw in
            PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)
        }.recover { _ in nil }
        #else
        return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}
