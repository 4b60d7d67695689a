import KinerjaDomain

/// journald MESSAGE_ID values, one per event type. Each one has an entry (Bahasa Indonesia and English)
/// in systemd/kinerjad.catalog; a test checks that every id declared here is in the catalog.
public enum MessageIDs {
    /// The daemon is ready (database migrated, socket listening).
    public static let started = "2b5be6e3f7b14566b6d0fb62d7d2fd60"
    /// SIGTERM received; the daemon is stopping.
    public static let stopping = "06c7c6d468f44b179d1613089ede2ea0"
    /// The configuration was reloaded.
    public static let reloaded = "e744ee6e87ef42a3888cd0c985837124"
    /// A reload was refused because the new configuration is invalid; the old one is kept.
    public static let reloadFailed = "76916220e7d24369a6bcc104004e90a5"
    /// A database backup was written.
    public static let backupWritten = "a0eb9e94815146c7a4694705042eb104"
    /// The log level was changed at run time.
    public static let logLevelChanged = "c2e46a8edc2f444a928f9487436f9357"
    /// The daemon could not start (database, socket); the message says why.
    public static let startFailed = "5df045a7ae5344978b707c22fc0af0c0"

    /// A review was submitted or revised (KINERJA_SOURCE: `web` or the admin's call); no scores in the entry.
    public static let reviewSubmitted = "39b7f8a9d40446d080d4bcb5a32ce56d"
    /// The review socket refused a token: unknown, revoked or expired (KINERJA_KIND: review or survey).
    public static let webTokenRefused = "1c312c4872d34d519041d72aff6c0506"
    /// A public SKM response was stored from the web (KINERJA_UNIT, KINERJA_PERIOD); no answers in the entry.
    public static let surveyAnswered = "322c7fc5575d48b698d73bca68e6fae5"
    /// kinerja-web answered 429: a client IP (KINERJA_CLIENT) or a link went over its rate limit
    /// (KINERJA_LIMIT: ip or token); no token, path or form content in the entry.
    public static let webRateLimited = "5e1a9efc92ce4ad294e65b7c06225e09"
    /// systemd passed kinerjad sockets but no `review` one: io.kinerjad.Review is not served.
    public static let reviewSocketMissing = "3ab026ffcb9243e79363dfb5f103cd6d"
    /// A long read could not lower its thread's priority (a system-call filter without setpriority):
    /// reports then compete with the web front's requests at full priority. Logged once per start.
    public static let backgroundPriorityRefused = "ae0c0c705591488cb6700ac6804e3cd1"

    /// A scheduled job finished its run.
    public static let jobFinished = "cbba0fbdbad14437ae257e4dc1b326a4"
    /// A scheduled job failed; it is retried at its next slot.
    public static let jobFailed = "baaeee9ad7dc4db1b021e9c7a67d2b77"

    /// An evaluation cycle was opened (KINERJA_CYCLE names its period).
    public static let cycleOpened = "d1896cecaf3b4f7bbb0fc60f86cee111"
    /// An evaluation cycle was closed and its results computed; forced closes say so.
    public static let cycleClosed = "cca67baa6b78451699d898f3b511bc3f"
    /// An import (employees, units, reviews, SKM, training) was applied.
    public static let importApplied = "70856063e7bf442e904b12a906814877"
    /// An employee import changed an open cycle's assignments because someone moved, left or went
    /// on leave (KINERJA_NIP, KINERJA_CYCLE, KINERJA_EVENT, KINERJA_REASSIGNED, KINERJA_CANCELLED).
    public static let assignmentsAdjusted = "e7be2e2db94f4bf4ad7fb2131b95f5cd"

    /// A reminder mail was handed to the mail system (KINERJA_OUTBOX_ID, KINERJA_TO, KINERJA_SUBJECT).
    public static let mailSent = "98608085f8de46e89a5dead425075ef3"
    /// A mail delivery attempt failed; it is retried after a backoff (KINERJA_ERROR, KINERJA_NEXT_ATTEMPT).
    public static let mailFailed = "b58f9e4d7495423c863f96095760f698"
    /// A reminder mail was given up after its last attempt (warning; `kinerjactl reminders retry`).
    public static let mailDead = "7be89a165bfc40578db96820422f836f"
    /// The journal channel logged a message instead of mailing it (dry run; KINERJA_BODY).
    public static let mailLogged = "cfabcd52ff25416fabbcd32d5fb0ebf7"
    /// An admin made a failed or dead message due again.
    public static let mailRetried = "44ed4ec33ea742e68aa6daa68d56014c"
    /// A message was in flight when the daemon died and its channel keeps no record of attempts (the
    /// journal channel); it is sent (logged) again.
    public static let mailInterrupted = "665d554deab541eea417d9e9e512bdbc"
    /// The daemon and the sendmail runner of an attempt were both stopped while it ran (reboot, cgroup
    /// kill): whether the mail system took it is unknown; it is sent again with the same Message-ID.
    public static let mailOutcomeUnknown = "72a9a6ef44c64b82af60688ec2c1d82c"

    /// A new low-motivation flag, one id per rule (`flagRaised(_:)`); KINERJA_NIP, KINERJA_UNIT,
    /// KINERJA_RULE, KINERJA_SEVERITY name it, PRIORITY follows the severity.
    public static let flagDecliningTrend = "8cdc6669efbc49939fbe79943639255f"
    public static let flagRecognitionGap = "707c62b52f804ef6aa367bdf0a46d268"
    public static let flagDisengaged = "51081c0fc7b242009cc5e489f3b54b00"
    public static let flagFeedbackDrop = "7f77f5330f4c4bef97d82a24ba80b29f"
    public static let flagStalledDevelopment = "7200bc291bb94e4d8f795a532acbebbd"
    public static let flagPerfunctoryReviewer = "b4725b3cfc5b4109ab1bcc4f3dacbc53"
    /// An open flag's severity rose (KINERJA_PREVIOUS_SEVERITY says from what).
    public static let flagEscalated = "04f9fd33fe0f4d7aa0994f6742840e39"

    /// Every id above, for the catalog check.
    public static let all: [String] = [started, stopping, reloaded, reloadFailed, backupWritten, logLevelChanged, startFailed,
                                       reviewSubmitted, webTokenRefused, surveyAnswered, webRateLimited, reviewSocketMissing, backgroundPriorityRefused,
                                       jobFinished, jobFailed, cycleOpened, cycleClosed, importApplied, assignmentsAdjusted,
                                       mailSent, mailFailed, mailDead, mailLogged, mailRetried, mailInterrupted, mailOutcomeUnknown,
                                       flagDecliningTrend, flagRecognitionGap, flagDisengaged, flagFeedbackDrop,
                                       flagStalledDevelopment, flagPerfunctoryReviewer, flagEscalated] + followupIDs
}

extension MessageIDs {
    /// The MESSAGE_ID of a new flag of `rule`.
    public static func flagRaised(_ rule: MotivationRule) -> String {
        switch rule {
        case .decliningTrend: return flagDecliningTrend
        case .recognitionGap: return flagRecognitionGap
        case .disengaged: return flagDisengaged
        case .feedbackDrop: return flagFeedbackDrop
        case .stalledDevelopment: return flagStalledDevelopment
        case .perfunctoryReviewer: return flagPerfunctoryReviewer
        }
    }
}
