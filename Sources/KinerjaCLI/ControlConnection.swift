import ArgumentParser
import Foundation
import Varlink

/// One call (or stream of replies) to the daemon, with kinerjactl's error handling: an unreachable
/// daemon exits 69 with a hint, a Varlink error exits 1 naming the error and its parameters.
struct ControlConnection {
    let options: GlobalOptions

    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        let client = try await connect()
        do {
            let reply = try await client.call(method, parameters: parameters)
            await client.close()
            return reply
        } catch {
            await client.close()
            throw mapped(error, method: method)
        }
    }

    /// A `more` call: `progress` sees each reply with `continues: true`; returns the last one.
    func callMore(_ method: String, _ parameters: [String: JSONValue] = [:],
                  progress: ([String: JSONValue]) -> Void) async throws -> [String: JSONValue] {
        var last: [String: JSONValue] = [:]
        try await stream(method, parameters) { reply, continues in
            if continues { progress(reply) } else { last = reply }
        }
        return last
    }

    /// A `more` call whose every reply goes to `each` as it arrives (with whether more follow): the
    /// daemon sends lists in parts, and this is how kinerjactl reads them.
    func stream(_ method: String, _ parameters: [String: JSONValue] = [:],
                each: ([String: JSONValue], _ continues: Bool) throws -> Void) async throws {
        let client = try await connect()
        do {
            for try await reply in client.send(VarlinkCallMessage(method: method, parameters: parameters, more: true)) {
                if let error = reply.varlinkError { throw error }
                try each(reply.parameters, reply.continues)
            }
            await client.close()
        } catch {
            await client.close()
            throw mapped(error, method: method)
        }
    }

    func connect() async throws -> VarlinkClient {
        do {
            return try await VarlinkClient.connect(unixPath: options.socketPath)
        } catch {
            throw mapped(error)
        }
    }

    func mapped(_ error: Error, method: String? = nil) -> Error {
        switch error {
        case let error as VarlinkConnectionError where error.code == .messageTooLarge:
            // The daemon is reachable; its reply is larger than kinerjactl accepts (a daemon that
            // answers a list in one reply instead of in parts).
            return CLIFailure(message: """
                kinerjactl: kinerjad's reply is too large to read (over \(VarlinkClient.defaultMaxMessageSize >> 20) MiB): \(error.detail)
                hint: ask for less (--limit, or filter by --unit, --cycle, --status); lists arrive in parts only from a kinerjad as new as this kinerjactl
                """, status: CLIExit.varlinkError)
        case let error as VarlinkConnectionError:
            let path = options.socketPath
            var message = "kinerjactl: cannot reach kinerjad at \(path): \(error.detail)"
            if error.code == .connectFailed {
                message += "\nhint: is the daemon running (systemctl status kinerjad.socket kinerjad.service)?"
                message += " Is the socket path right (--socket, KINERJAD_SOCKET)?"
                if error.detail.contains("ermission") {
                    message += " Are you in the kinerjad-admin group?"
                }
            }
            return CLIFailure(message: message, status: CLIExit.unavailable)
        case let error as VarlinkError:
            return CLIFailure(message: Self.describe(error, method: method), status: CLIExit.varlinkError)
        case let failure as CLIFailure:
            return failure
        default:
            return CLIFailure(message: "kinerjactl: \(error)", status: CLIExit.varlinkError)
        }
    }

    /// `Error: io.kinerjad.Admin.InvalidInput` followed by its parameters, one per line.
    static func describe(_ error: VarlinkError, method: String? = nil) -> String {
        var lines = ["kinerjactl: the daemon answered with the error \(error.name)"]
        if error.name == VarlinkError.Name.permissionDenied {
            lines.append(permissionHint(method: method))
        }
        for key in error.parameters.keys.sorted() {
            let value = error.parameters[key]!
            if case .array(let items) = value {
                lines.append("  \(key):")
                for item in items { lines.append("    \(item.stringValue ?? item.serializedString(.compact))") }
            } else {
                lines.append("  \(key): \(value.stringValue ?? value.serializedString(.compact))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension ControlConnection {
    /// Why a call was refused, for a person: a method that only reads was refused because of the
    /// personal data it shows (its access class is `admin`), not because it changes anything.
    static func permissionHint(method: String?) -> String {
        let member = method.flatMap { $0.split(separator: ".").last.map(String.init) } ?? ""
        let reads = ["List", "Show", "Get", "Preview", "Job"].contains { member.hasPrefix($0) }
            || ["CycleReport", "FlagSummary"].contains(member)
        if reads {
            return "hint: this command only reads, but what it shows is personal data (names, NIPs, scores, flags, "
                + "mail or who reviews whom), which only root and members of the admin group (kinerjad-admin) may see"
        }
        return "hint: this command changes state; run it as root or as a member of the admin group (kinerjad-admin)"
    }
}

/// A failure that ends kinerjactl with a message on stderr and an exit status.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let status: Int32
    var description: String { message }
}

/// Runs a command body, turning failures into a message on stderr and the right exit status.
func runCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CLIFailure {
        FileHandle.standardError.write(Data((failure.message + "\n").utf8))
        throw ExitCode(failure.status)
    }
}
