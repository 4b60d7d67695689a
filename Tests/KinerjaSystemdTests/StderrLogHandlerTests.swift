import Foundation
import KinerjaSystemd
import KinerjaTestSupport
import Logging
import Testing

@Suite("StderrLogHandler and its line format")
struct StderrLogHandlerTests {
    @Test("lines carry the <N> priority, the message and sorted key=value metadata")
    func lines() async throws {
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("stderr.log"))
            var logger = Logger(label: "kinerja.test") { StderrLogHandler(label: $0, output: capture.writer) }
            logger.logLevel = .debug
            logger[metadataKey: "unit"] = "BKPSDM"
            logger.info("siklus dibuka", metadata: ["cycle.id": "2025-Q1"])
            logger.debug("detail")
            logger.critical("basis data rusak", metadata: ["path": "/var/lib/kinerjad/kinerja.sqlite"])
            logger.trace("tidak tampil")
            #expect(try capture.lines() == [
                "<6>siklus dibuka cycle.id=2025-Q1 unit=BKPSDM",
                "<7>detail unit=BKPSDM",
                "<2>basis data rusak path=/var/lib/kinerjad/kinerja.sqlite unit=BKPSDM",
            ])
        }
    }

    @Test("one call is one line: newlines are escaped, awkward values are quoted")
    func escaping() {
        let line = LogLineFormat.line(
            priority: .warning,
            message: "baris satu\nbaris dua",
            metadata: ["reason": "bad value \"x\"", "empty": "", "plain": "ok", "multi": "a\nb", "key with space": "v"]
        )
        #expect(line == "<4>baris satu\\nbaris dua empty=\"\" key_with_space=v multi=\"a\\nb\" plain=ok reason=\"bad value \\\"x\\\"\"\n")
    }

    @Test("an attached error adds error.message and error.type")
    func errorMetadata() async throws {
        struct Broken: Error, CustomStringConvertible {
            var description: String { "disk full" }
        }
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("stderr.log"))
            let handler = StderrLogHandler(label: "kinerja.test", output: capture.writer)
            handler.log(event: LogEvent(
                level: .error, message: "backup gagal", error: Broken(), metadata: nil,
                source: nil, file: #fileID, function: #function, line: #line
            ))
            let line = try #require(try capture.lines().first)
            #expect(line.hasPrefix("<3>backup gagal error.message=\"disk full\" error.type="))
            #expect(line.contains(".Broken"))
        }
    }

    @Test("lines from many tasks never interleave")
    func concurrentWriters() async throws {
        try await TemporaryDirectory.with { directory in
            let capture = try FileCapture(directory.path("stderr.log"))
            let logger = Logger(label: "kinerja.test") { StderrLogHandler(label: $0, output: capture.writer) }
            let filler = String(repeating: "x", count: 2000)
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for index in 0..<50 { logger.info("\(filler)", metadata: ["task": "\(task)", "index": "\(index)"]) }
                    }
                }
            }
            let lines = try capture.lines()
            #expect(lines.count == 400)
            #expect(lines.allSatisfy { $0.hasPrefix("<6>" + filler + " index=") })
        }
    }
}
