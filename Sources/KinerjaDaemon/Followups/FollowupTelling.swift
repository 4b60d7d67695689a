import Foundation
import KinerjaDomain
import KinerjaStore

/// Decides the follow-up pass's messages from what the store read (no I/O). A task's personal link is
/// a slot in the stored text, made when the message is delivered (`FollowupLinks`).
///
/// Rules implemented (docs/admin-guide.md, "Follow-up tasks"):
/// - one message per atasan and local day (`followup/<NIP>/<day>`) listing every task whose current
///   stage they have not been told, each with a personal link; an atasan who already had any
///   message today (a reminder too) is told tomorrow, as reminders are;
/// - an escalated task's message goes to the unit head too, as a separate copy without the link
///   (never to the atasan themselves);
/// - a task with no atasan or no address is not mailed; it is listed in the BKPSDM digest;
/// - the BKPSDM digest (`followup-digest/<day>`, to `mail.admin_address`) at most once a day, only
///   when it lists something: every escalated task and every task nobody can be told about.
struct FollowupTelling {
    var from: MailAddress
    var sender: String
    var admin: MailAddress?
    var today: CalendarDate

    static func digestKey(_ day: CalendarDate) -> String { "followup-digest/\(day)" }

    /// `Komunikasi Efektif (KOM-01, klasikal, 16 JP, BPSDM Jabar); nilai terendah: Kolaboratif 2,4 dari atasan dan rekan`.
    static func line(_ t: FollowupTrainingRow) -> String {
        "\(t.course.title) (\(t.course.code), \(t.course.mode.rawValue), \(IndonesianFormat.decimal(t.course.hours, places: 0)) JP, "
            + "\(t.course.provider)); \(t.reason)"
    }

    func messages(_ input: FollowupTellInput) -> [FollowupTellMessage] {
        var result: [FollowupTellMessage] = []
        let byAppraiser = Dictionary(grouping: input.untold.filter { $0.followup.appraiser != nil && $0.appraiserEmail != nil },
                                     by: { $0.followup.appraiser! })
        for appraiser in byAppraiser.keys.sorted(by: { $0.description < $1.description }) where input.messagedToday[appraiser] == nil {
            let rows = byAppraiser[appraiser]!.sorted { $0.followup.id < $1.followup.id }
            let items = rows.map { row -> FollowupMailItem in
                let f = row.followup
                var item = FollowupMailItem(followupID: f.id, subjectName: f.subjectName ?? f.subject.description, subjectNIP: f.subject,
                                            rule: f.rule, seen: f.seen, recommendation: f.recommendation, due: f.due, status: f.status,
                                            link: ReviewLinkSlot.slot(followups: [f.id]))
                item.trainings = (input.trainings[f.id] ?? []).map(Self.line)
                return item
            }
            let name = rows[0].followup.appraiserName ?? appraiser.description
            let draft = OutboxDraft(idempotencyKey: "followup/\(appraiser)/\(today)", kind: "followup", recipientNIP: appraiser.description,
                                    from: from, to: [MailAddress(name: name, email: rows[0].appraiserEmail!)], cc: [],
                                    subject: FollowupMail.subject(items: items),
                                    body: FollowupMail.body(atasanName: name, items: items, sender: sender, today: today), marks: [])
            result.append(FollowupTellMessage(draft: draft, notices: rows.map { ($0.followup.id, $0.stage) }))
            // The unit head's copy of an escalated task is its own message without the link: the link
            // records the dialog as the atasan, so only the atasan gets it (as with reminders).
            var heads: [MailAddress] = []
            for row in rows where row.stage == FollowupStatus.escalated.rawValue {
                if let head = row.unitHead, head != appraiser, let email = row.unitHeadEmail, !heads.contains(where: { $0.email == email }) {
                    heads.append(MailAddress(name: row.unitHeadName ?? head.description, email: email))
                }
            }
            if !heads.isEmpty {
                let copied = items.map { item -> FollowupMailItem in
                    var item = item
                    item.link = "(tautan pencatatan hanya dikirim kepada \(name))"
                    return item
                }
                let copy = OutboxDraft(idempotencyKey: "followup/\(appraiser)/\(today)/tembusan", kind: "followup_copy", recipientNIP: nil,
                                       from: from, to: heads, cc: [], subject: "Tembusan: " + FollowupMail.subject(items: items),
                                       body: FollowupMail.body(atasanName: name, items: copied, sender: sender, today: today), marks: [])
                result.append(FollowupTellMessage(draft: copy, notices: []))
            }
        }
        if let admin, !input.digestWrittenToday, !(input.escalated.isEmpty && input.unreachable.isEmpty) {
            let body = FollowupMail.digestBody(
                escalated: input.escalated.map { r in
                    (r.followup.subjectName ?? r.followup.subject.description, r.followup.subject, r.followup.unit ?? "-",
                     r.followup.appraiserName ?? r.followup.appraiser?.description ?? "tidak diketahui", r.followup.due)
                },
                unreachable: input.unreachable.map { r in
                    (r.followup.subjectName ?? r.followup.subject.description, r.followup.subject, r.followup.unit ?? "-")
                },
                sender: sender)
            let draft = OutboxDraft(idempotencyKey: Self.digestKey(today), kind: "followup_digest", recipientNIP: nil, from: from,
                                    to: [admin], cc: [], subject: "Ringkasan tindak lanjut kinerja \(IndonesianFormat.date(today)): "
                                        + "\(input.escalated.count) diteruskan, \(input.unreachable.count) tanpa atasan yang dapat dihubungi",
                                    body: body, marks: [])
            result.append(FollowupTellMessage(draft: draft, notices: []))
        }
        return result
    }
}
