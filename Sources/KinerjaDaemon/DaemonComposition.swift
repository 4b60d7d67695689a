import KinerjaDomain

/// The one place that knows every feature folder: it gathers their control methods and their jobs.
/// The foundation folders (Config, Logging, Runtime, Scheduler, Control, Lifecycle, Mail) know no
/// feature, so a new feature adds its folder and one line in each list below.
public enum AdminHandlers {
    /// Every method of io.kinerjad.Admin with its handler. Two features claiming the same method
    /// stop the daemon at start (and fail the interface test), rather than one silently winning.
    public static let all: [String: AdminService.Handler] = Dictionary(uniqueKeysWithValues: [
        AdminService.statusHandlers, AdminService.jobHandlers, AdminService.backupHandlers,
        AdminService.cycleHandlers, AdminService.importHandlers, AdminService.flagHandlers,
        AdminService.outboxHandlers, AdminService.sweepHandlers, AdminService.linkHandlers,
        AdminService.followupHandlers,
    ].flatMap { $0.map { ($0.key, $0.value) } })
}

/// Every job the scheduler knows; `jobs.schedule` gives each its calendar (or none: run by hand).
public enum DaemonJobs {
    public static func all(_ runtime: DaemonRuntime) -> [any ScheduledJob] {
        [MaintenanceJob(runtime: runtime), OutboxDeliveryJob(runtime: runtime), MotivationAnalysisJob(runtime: runtime),
         ReminderSweepJob(runtime: runtime), CycleCloseJob(runtime: runtime), FollowupPassJob(runtime: runtime)]
            + PeriodKind.allCases.map { CycleOpenJob(runtime: runtime, kind: $0) }
    }
}
