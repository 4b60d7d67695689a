import Foundation
import KinerjaTestSupport
import Testing
import Varlink

/// Certification against the reference (Python) implementation, both ways.
@Suite(.serialized) struct VarlinkCertificationTests {
    @Test func referenceClientCertifiesOurServer() async throws {
        let directory = try await pythonVarlinkDirectory()
        let description = try String(
            contentsOfFile: "\(directory)/tests/org.varlink.certification.varlink", encoding: .utf8)
        try await withTestServer(services: [CertificationService(interfaceDescription: description)]) { _, path in
            let result = try await runVarlinkTestProcess(
                "/usr/bin/env",
                ["python3", "-m", "varlink.tests.test_certification", "--client", "--varlink=unix:\(path)"])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("Certification passed"), "\(result.output)")
            #expect(result.output.contains("End: {'all_ok': True}"), "\(result.output)")
        }
    }

    @Test func ourClientPassesTheReferenceServer() async throws {
        let directory = try VarlinkTestDirectory()
        defer { directory.remove() }
        let path = directory.file("cert.varlink")
        let server = try startVarlinkTestProcess(
            "/usr/bin/env", ["python3", "-m", "varlink.tests.test_certification", "--varlink=unix:\(path)"])
        defer { server.terminate() }
        var connected: VarlinkClient?
        _ = await eventually(timeout: 20) {
            connected = try? await VarlinkClient.connect(unixPath: path)
            return connected != nil
        }
        let client = try #require(connected)
        defer { Task { await client.close() } }

        let cert = "org.varlink.certification."
        let start = try await client.call(cert + "Start")
        let id = try #require(start["client_id"])
        var reply = try await client.call(cert + "Test01", parameters: ["client_id": id])
        reply = try await client.call(cert + "Test02", parameters: ["client_id": id, "bool": reply["bool"]!])
        reply = try await client.call(cert + "Test03", parameters: ["client_id": id, "int": reply["int"]!])
        reply = try await client.call(cert + "Test04", parameters: ["client_id": id, "float": reply["float"]!])
        reply = try await client.call(cert + "Test05", parameters: ["client_id": id, "string": reply["string"]!])
        var test06 = reply
        test06["client_id"] = id
        reply = try await client.call(cert + "Test06", parameters: test06)
        reply = try await client.call(cert + "Test07", parameters: ["client_id": id, "struct": reply["struct"]!])
        reply = try await client.call(cert + "Test08", parameters: ["client_id": id, "map": reply["map"]!])
        reply = try await client.call(cert + "Test09", parameters: ["client_id": id, "set": reply["set"]!])
        var strings: [JSONValue] = []
        for try await more in client.callMore(cert + "Test10", parameters: ["client_id": id, "mytype": reply["mytype"]!]) {
            strings.append(more["string"]!)
        }
        #expect(strings.count == 10)
        try await client.oneway(cert + "Test11", parameters: ["client_id": id, "last_more_replies": .array(strings)])
        let end = try await client.call(cert + "End", parameters: ["client_id": id])
        #expect(end["all_ok"] == true)

        // A call out of sequence is answered with the certification error.
        await #expect(throws: VarlinkError.self) {
            _ = try await client.call(cert + "Test03", parameters: ["client_id": id, "int": 1])
        }
    }
}
