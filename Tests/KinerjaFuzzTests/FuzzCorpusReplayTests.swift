import Foundation
import KinerjaDaemon
import KinerjaDomain
@testable import KinerjaFuzzTargets
import Testing

/// The short version of `make fuzz` (docs/fuzzing.md): every committed seed (`Fuzz/corpus/<target>/`) and
/// every crasher found so far (`Fuzz/regressions/<target>/`) goes through its target's property
/// checks.
@Suite struct FuzzCorpusReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedCorpusHoldsTheProperties(_ target: FuzzTarget) throws {
        let files = Self.files("corpus", target)
        #expect(files.count >= 3, "Fuzz/corpus/\(target.rawValue) has \(files.count) seeds")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(file.lastPathComponent)") { try target.check(bytes) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionsHoldTheProperties(_ target: FuzzTarget) throws {
        for file in Self.files("regressions", target) {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(file.lastPathComponent)") { try target.check(bytes) }
        }
    }

    /// The checks can fail: each is given what a broken parser would answer.
    @Test func checksRejectWhatABrokenParserWouldAnswer() {
        // An import problem on a line the file does not have.
        let outside = ImportFailure(problems: [ImportProblem(line: 9, column: 1, columnName: nil, code: .badNIP, message: "x")],
                                    totalCount: 1)
        #expect(throws: FuzzFailure.self) {
            try CSVImportFuzz.checkProblems(Result<Int, ImportFailure>.failure(outside), text: "a\nb", target: .csvEmployees)
        }
        // Problems out of order.
        let unordered = ImportFailure(problems: [
            ImportProblem(line: 2, column: 1, columnName: nil, code: .badNIP, message: "x"),
            ImportProblem(line: 1, column: 1, columnName: nil, code: .badNIP, message: "y"),
        ], totalCount: 2)
        #expect(throws: FuzzFailure.self) {
            try CSVImportFuzz.checkProblems(Result<Int, ImportFailure>.failure(unordered), text: "a\nb", target: .csvSKM)
        }
        // A configuration problem about a key without a line.
        #expect(throws: FuzzFailure.self) {
            try ConfigFuzz.checkProblems([ConfigProblem(file: ConfigFuzz.file, keyPath: "control.socket", message: "x")], text: "a")
        }
        // Batched and whole-file validation that disagree.
        #expect(throws: FuzzFailure.self) {
            try CSVImportFuzz.same(Result<Int, ImportFailure>.success(1), .success(2), target: .csvTraining)
        }
        #expect(throws: Never.self) {
            try CSVImportFuzz.same(Result<Int, ImportFailure>.success(1), .success(1), target: .csvTraining)
        }
    }

    /// The frame decoder is compared with an independent split of the stream, chunked and whole.
    @Test func framingTargetSplitsStreams() throws {
        let stream: [UInt8] = [0x00, 0x02] + Array(#"{"method":"a.b.C"}"#.utf8) + [0] + Array("x".utf8)
        let outcome = VarlinkFramingFuzz.decode(Array(stream[2...]), limit: 16, chunk: 3)
        #expect(outcome.frames.isEmpty)
        #expect(outcome.error == .messageTooLarge(limit: 16))
        let fits = VarlinkFramingFuzz.decode(Array(stream[2...]), limit: 64, chunk: 3)
        #expect(fits.frames == [Array(#"{"method":"a.b.C"}"#.utf8)])
        #expect(fits.error == nil)
        try FuzzTarget.varlinkFraming.check(stream)
    }
}
