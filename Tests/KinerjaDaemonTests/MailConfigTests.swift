import Foundation
import KinerjaDomain
import KinerjaStore
import Testing
@testable import KinerjaDaemon

@Suite("Configuration: mail delivery and the outbox-delivery job")
struct MailConfigTests {
    func problems(_ yaml: String) -> [ConfigProblem] {
        do {
            _ = try DaemonConfig.parse(yaml: yaml, file: "/etc/kinerjad/kinerjad.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("defaults: the hand-off to kinerjad-mail.socket, backoff 5 min doubling to 6 h, 10 attempts, no admin digest; delivery every 5 minutes")
    func defaults() {
        let config = DaemonConfig()
        #expect(config.mail.channel == .sendmail)
        #expect(config.mail.sendmail == ["/usr/libexec/kinerjad/kinerjad-sendmail"])
        #expect(config.mail.from == MailAddress(name: "BKPSDM Kota Bandung", email: "kinerjad@localhost"))
        #expect(config.mail.retryPolicy == OutboxRetryPolicy(baseDelay: .seconds(300), cap: .seconds(21_600), maxAttempts: 10))
        #expect(config.mail.admin == nil)
        #expect(config.mail.keepSentText == .seconds(30 * 86_400))
        #expect(config.mail.keepMessages == .seconds(400 * 86_400))
        #expect(config.jobs.schedule["outbox-delivery"] == "*:0/5")
        #expect(DaemonConfig.knownJobs.contains("outbox-delivery"))
    }

    @Test("every key is read")
    func values() throws {
        let config = try DaemonConfig.parse(yaml: """
            mail:
              channel: journal
              sendmail: [/usr/bin/msmtp, --account=kota, -t]
              from_name: Pemerintah Kota Bandung — BKPSDM
              from_address: kinerja@bandung.go.id
              timeout: 30s
              retry_base: 1min
              retry_cap: 2h
              max_attempts: 5
              admin_name: Admin Kinerja
              admin_address: admin.kinerja@bandung.go.id
              keep_sent_text: 90d
              keep_messages: 2y
            jobs:
              schedule:
                outbox-delivery: "*:0/1"
            """, file: "/x.yaml")
        #expect(config.mail.channel == .journal)
        #expect(config.mail.sendmail == ["/usr/bin/msmtp", "--account=kota", "-t"])
        #expect(config.mail.from == MailAddress(name: "Pemerintah Kota Bandung — BKPSDM", email: "kinerja@bandung.go.id"))
        #expect(config.mail.timeout == .seconds(30))
        #expect(config.mail.retryPolicy == OutboxRetryPolicy(baseDelay: .seconds(60), cap: .seconds(7200), maxAttempts: 5))
        #expect(config.mail.admin == MailAddress(name: "Admin Kinerja", email: "admin.kinerja@bandung.go.id"))
        #expect(config.mail.keepSentText == .seconds(90 * 86_400))
        #expect(config.mail.keepMessages == .seconds(2 * 31_557_600))
        #expect(config.jobs.schedule["outbox-delivery"] == "*:0/1")
        #expect(try DaemonConfig.parse(yaml: "mail:\n  keep_sent_text: off\n", file: "/x.yaml").mail.keepSentText == nil)
        #expect(try DaemonConfig.parse(yaml: "mail:\n  keep_messages: off\n", file: "/x.yaml").mail.keepMessages == nil)
    }

    @Test("bad values name the key and the expected form", arguments: [
        ("mail:\n  channel: smtp\n", "mail.channel", "one of sendmail, journal"),
        ("mail:\n  sendmail: sendmail -t\n", "mail.sendmail", "a list of"),
        ("mail:\n  sendmail: []\n", "mail.sendmail", "a program and its arguments"),
        ("mail:\n  sendmail: [sendmail, -t]\n", "mail.sendmail", "absolute path"),
        ("mail:\n  from_address: kinerjad\n", "mail.from_address", "an email address"),
        ("mail:\n  from_address: kinerjad@bandung go.id\n", "mail.from_address", "an email address"),
        ("mail:\n  admin_address: admin@\n", "mail.admin_address", "or \"\" for none"),
        ("mail:\n  timeout: 0s\n", "mail.timeout", "time span"),
        ("mail:\n  retry_base: 1h\n  retry_cap: 5min\n", "mail.retry_cap", "at least retry_base"),
        ("mail:\n  max_attempts: 0\n", "mail.max_attempts", "integer from 1 to 100"),
        ("mail:\n  smtp_host: x\n", "mail.smtp_host", "unknown key"),
        ("mail:\n  keep_sent_text: 12h\n", "mail.keep_sent_text", "at least 1d such as 30d, or off"),
        ("mail:\n  keep_sent_text: never\n", "mail.keep_sent_text", "at least 1d such as 30d, or off"),
        ("mail:\n  keep_messages: 6h\n", "mail.keep_messages", "at least 1d such as 400d, or off (keep every message)"),
        ("mail:\n  keep_messages: forever\n", "mail.keep_messages", "at least 1d such as 400d, or off (keep every message)"),
        ("jobs:\n  schedule:\n    outbox-delivery: \"every five\"\n", "jobs.schedule.outbox-delivery", "invalid calendar expression"),
    ])
    func badValues(yaml: String, keyPath: String, expected: String) {
        let found = problems(yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.keyPath == keyPath)
        #expect(found.first?.message.contains(expected) == true, "\(found.first?.message ?? "")")
        #expect(found.first?.line != nil)
    }
}
