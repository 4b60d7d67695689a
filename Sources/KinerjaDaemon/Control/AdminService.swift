import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

/// `io.kinerjad.Admin`: the control interface admins reach with kinerjactl. The IDL text in
/// io.kinerjad.Admin.varlink is the contract (including each method's access class); each method in
/// it has exactly one handler in the table the service is given (`AdminHandlers.all`, gathered from
/// the feature folders), and a test checks that none is missing.
public struct AdminService: VarlinkService {
    public typealias Handler = @Sendable (AdminService, VarlinkCall, VarlinkReplySink) async throws -> Void

    public static let interfaceName = "io.kinerjad.Admin"
    public static let idl = String(decoding: PackageResources.io_kinerjad_Admin_varlink, as: UTF8.self)

    public let runtime: DaemonRuntime
    public let scheduler: Scheduler
    /// Method name → handler.
    let handlers: [String: Handler]
    public var interfaceDescription: String { Self.idl }

    public init(runtime: DaemonRuntime, scheduler: Scheduler, handlers: [String: Handler]) {
        self.runtime = runtime
        self.scheduler = scheduler
        self.handlers = handlers
    }

    public func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        guard let handler = handlers[call.method] else {
            throw VarlinkError.methodNotImplemented(call.qualifiedMethod)
        }
        let inputProblems = ControlInputCheck.problems(
            call.parameters, horizon: DateHorizon(now: runtime.now(), timeZone: runtime.config.cycles.zone),
            timeZone: runtime.config.cycles.zone)
        if !inputProblems.isEmpty { throw AdminError.invalidInput(inputProblems) }
        do {
            try await handler(self, call, reply)
        } catch let error as VarlinkError {
            // A failure of the daemon (not of the caller's input) goes to the log as well, so an
            // operator sees a full disk or a read-only database without asking the admin.
            if error.name == "io.kinerjad.Admin.OperationFailed" {
                runtime.logger.error("\(call.method) failed: \(error.parameters["message"]?.stringValue ?? "\(error)")",
                                     metadata: ["method": "\(call.method)", "peer": "\(call.peerDescription)"])
            }
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            let text = runtime.describe(error)
            runtime.logger.error("\(call.method) failed: \(text)", metadata: ["method": "\(call.method)", "peer": "\(call.peerDescription)"])
            throw AdminError.operationFailed(text)
        }
    }
}

/// Errors of io.kinerjad.Admin.
enum AdminError {
    static func notFound(_ what: String, _ id: String) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.NotFound", parameters: ["what": .string(what), "id": .string(id)])
    }

    static func invalidInput(_ problems: [String]) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.InvalidInput", parameters: ["problems": .array(problems.map { .string($0) })])
    }

    static func configInvalid(_ problems: [String]) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.ConfigInvalid", parameters: ["problems": .array(problems.map { .string($0) })])
    }

    static func operationFailed(_ message: String) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Admin.OperationFailed", parameters: ["message": .string(message)])
    }
}

extension VarlinkCall {
    /// "uid 1000 (name)" for audit log lines.
    var peerDescription: String {
        guard let peer else { return "unknown peer" }
        if let user = UnixUserDatabase.user(withID: peer.uid) { return "uid \(peer.uid) (\(user.name))" }
        return "uid \(peer.uid)"
    }
}
