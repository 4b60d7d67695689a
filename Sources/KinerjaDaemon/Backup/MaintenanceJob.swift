import Foundation

/// `maintenance`: writes the slot's backup (`WriteBackup`), rotates old ones, removes the text of
/// messages sent longer ago than `mail.keep_sent_text`, deletes the finished messages written longer
/// ago than `mail.keep_messages` that nothing still open depends on, checkpoints the WAL and refreshes
/// SQLite's statistics.
struct MaintenanceJob: ScheduledJob {
    let runtime: DaemonRuntime
    var name: String { "maintenance" }

    func run(slot: Date) async throws -> String {
        let config = runtime.config
        let backup = try await WriteBackup(runtime: runtime)(at: slot, unique: false, by: "scheduler (\(name))")
        try Task.checkCancellation()
        let directory = config.backup.directory, keep = config.backup.keep
        let now = runtime.now(), keepText = config.mail.keepSentText, keepMessages = config.mail.keepMessages
        // The removals go a few thousand messages a transaction; a stop is seen between two (the first
        // run after an upgrade may have years of messages to go through) and the next run goes on.
        let stop = StopRequest()
        let (removed, texts, messages, wal) = try await withTaskCancellationHandler {
            try await runtime.withDatabase { database in
                let removed = try BackupFiles.rotate(directory: directory, keep: keep)
                let texts = try keepText.map {
                    try database.removeSentText(sentBefore: now.addingTimeInterval(-$0.inSeconds), now: now, stopped: { stop.isRequested })
                }
                let messages = try keepMessages.map {
                    try database.removeFinishedMessages(createdBefore: now.addingTimeInterval(-$0.inSeconds), stopped: { stop.isRequested })
                }
                return (removed, texts, messages, try database.maintain())
            }
        } onCancel: {
            stop.request()
        }
        try Task.checkCancellation()
        let textNote = texts.map { "; text of \($0) message(s) sent over \(Self.days(keepText)) ago removed" } ?? ""
        let messageNote = messages.map {
            "; \($0.removed) message(s) written over \(Self.days(keepMessages)) ago deleted"
                + ($0.kept > 0 ? " (\($0.kept) kept: still to send, or of a cycle or follow-up still open)" : "")
        } ?? ""
        return "backup \(backup.written ? "written" : "already present"): \((backup.file as NSString).lastPathComponent); "
            + "\(removed.count) old backup(s) removed\(textNote)\(messageNote); WAL checkpointed (\(wal.checkpointed) of \(wal.walPages) pages)"
    }

    static func days(_ span: Duration?) -> String {
        guard let span else { return "" }
        let days = span.inSeconds / 86_400
        return days == days.rounded() ? "\(Int(days)) days" : String(format: "%.1f days", days)
    }
}
