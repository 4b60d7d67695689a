#if canImport(Glibc)
import Glibc
#endif

/// `kinerjad-sendmail`: the sendmail-compatible program kinerjad.service runs for each message. The
/// daemon has no network (`PrivateNetwork=yes`), so this hands the message to `kinerjad-mail.socket`,
/// whose per-connection `kinerjad-mail@.service` (which has the network) runs the real sendmail program
/// with the connection as its stdin and stdout.
///
/// The exchange on the connection: this program writes its whole stdin, then shuts down its sending
/// side (the real program sees end of file); the unit writes back the program's output followed by
/// the line `kinerjad-mail-status: N`, N being its exit status. This program prints the output on
/// stderr and exits with N, so the daemon's runner records the real program's outcome. A connection
/// that ends without that line (the mail unit was stopped or killed) is exit status 75 (EX_TEMPFAIL),
/// a failed attempt the daemon retries; a socket that cannot be reached is 69 (EX_UNAVAILABLE).
///
/// Glibc only, no Foundation: it is started once per message and should stay small.
@main
enum KinerjadSendmail {
    static let defaultSocket = "/run/kinerjad-mail/mail.sock"
    static let trailer = Array("\nkinerjad-mail-status: ".utf8)
    static let exUnavailable: Int32 = 69
    static let exTempfail: Int32 = 75
    static let exUsage: Int32 = 64

    static func main() {
        signal(SIGPIPE, SIG_IGN)
        var socketPath = defaultSocket
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--socket":
                guard let path = arguments.popFirst() else { fail(exUsage, "--socket needs a path") }
                socketPath = path
            case "-h", "--help":
                print("usage: kinerjad-sendmail [--socket PATH]  (message on stdin; default socket \(defaultSocket))")
                exit(0)
            default:
                // sendmail options such as -t or -i: the program the mail unit runs has its own.
                continue
            }
        }
        let connection = connect(to: socketPath)
        let sendFailure = copyStdin(to: connection)
        shutdown(connection, Int32(SHUT_WR))
        let reply = readAll(connection)
        close(connection)
        guard let (output, status) = split(reply) else {
            writeStderr(reply)
            let why = sendFailure.map { " (sending the message failed: \($0))" } ?? ""
            fail(exTempfail, "the mail unit (\(socketPath)) ended without reporting the sendmail program's exit status\(why)")
        }
        writeStderr(output)
        exit(status)
    }

    /// Connects to the mail unit's socket, or exits 69 naming the path and the reason.
    static func connect(to path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { fail(exUnavailable, "cannot create a socket: \(reason())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { fail(exUsage, "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard result == 0 else {
            fail(exUnavailable, "cannot connect to the mail unit's socket \(path): \(reason()) (is kinerjad-mail.socket running?)")
        }
        return fd
    }

    /// Writes stdin to the connection until end of file; returns why it stopped early, if it did
    /// (the real program closed its stdin: its status tells what that meant).
    static func copyStdin(to fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return "reading stdin: \(reason())" }
            if count == 0 { return nil }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { send(fd, $0.baseAddress! + written, count - written, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return "writing to the mail unit: \(reason())" }
                written += n
            }
        }
    }

    /// Everything the unit sends until it closes the connection.
    static func readAll(_ fd: Int32) -> [UInt8] {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return reply }
            reply.append(contentsOf: buffer[0..<count])
        }
    }

    /// The program's output and exit status from the reply, or nil when the status line is missing.
    static func split(_ reply: [UInt8]) -> ([UInt8], Int32)? {
        var end = reply.count
        while end > 0 && reply[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var start = end
        while start > 0 && reply[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        guard start > 0, start - 1 + trailer.count <= end, Array(reply[(start - 1)..<(start - 1 + trailer.count)]) == trailer,
              let status = Int32(String(decoding: reply[(start - 1 + trailer.count)..<end], as: UTF8.self)),
              (0...255).contains(status)
        else { return nil }
        return (Array(reply[0..<(start - 1)]), status)
    }

    static func writeStderr(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    static func reason() -> String { String(cString: strerror(errno)) }

    static func fail(_ status: Int32, _ message: String) -> Never {
        writeStderr(Array("kinerjad-sendmail: \(message)\n".utf8))
        exit(status)
    }
}
