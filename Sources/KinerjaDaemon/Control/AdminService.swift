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
        } catch let error as CancellationError {
            throw error
        } catch {
            let answer = interfaceError(error)
            // A failure of the daemon (not of the caller's input) goes to the log as well, so an
            // operator sees a full disk or a read-only database without asking the admin.
            if answer.name == AdminError.operationFailedName {
                runtime.logger.error("\(call.method) failed: \(answer.parameters["message"]?.stringValue ?? "\(answer)")",
                                     metadata: ["method": "\(call.method)", "peer": "\(call.peerDescription)"])
            }
            throw answer
        }
    }}

extension VarlinkCall {
    /// "uid 1000 (name)" for audit log lines.
    var peerDescription: String {
        guard let peer else { return "unknown peer" }
        if let user = UnixUserDatabase.user(withID: peer.uid) { return "uid \(peer.uid) (\(user.name))" }
        return "uid \(peer.uid)"
    }
}
