import Foundation
import HTTPTypes
import Hummingbird
import Varlink

/// `/f/<token>`: the atasan's follow-up page, reached from the follow-up mail.
extension WebFront {
    func followupPage(_ request: Request, _ context: WebContext, notice: String?, errors: [String], form: [String: String] = [:],
                      status: HTTPResponse.Status) async throws -> Response {
        let token = token(context)
        let saved = request.uri.queryParameters.get("tersimpan") != nil
        return await withDaemon {
            let reply = try await client.call("GetFollowupPage", ["token": .string(token)])
            return html(status, pages.followup(reply, token: token, csrf: signer.formValue(token: token),
                                               notice: notice ?? (saved ? "Hasil tindak lanjut sudah tersimpan. Terima kasih." : nil),
                                               errors: errors, form: form))
        }
    }

    func recordFollowup(_ request: Request, _ context: WebContext) async throws -> Response {
        let token = token(context)
        guard let form = try await form(request, context) else {
            return html(.badRequest, pages.message(title: "Permintaan tidak sah", heading: "Permintaan tidak dapat dibaca", paragraphs: []))
        }
        guard let csrf = form["csrf"], signer.verify("form", token, csrf) else { return forbidden() }
        var fields: [String: String] = [:]
        for key in ["held_on", "action", "note", "next_check"] { fields[key] = form[key]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        var parameters: [String: JSONValue] = ["token": .string(token), "held_on": .string(fields["held_on"]!),
                                               "action": .string(fields["action"]!), "note": .string(fields["note"]!)]
        if !fields["next_check"]!.isEmpty { parameters["next_check"] = .string(fields["next_check"]!) }
        do {
            _ = try await client.call("RecordFollowup", parameters)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.InvalidInput" {
            let problems = (error.parameters["problems"]?.arrayValue ?? []).compactMap(\.stringValue).map(Self.translateFollowup)
            return try await followupPage(request, context, notice: nil, errors: problems, form: fields, status: .unprocessableContent)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.ReadOnly" {
            return try await followupPage(request, context, notice: "Hasil tindak lanjut ini sudah tercatat sebelumnya.", errors: [],
                                          status: .conflict)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.InvalidToken" {
            return invalidLink()
        } catch {
            return unavailable(error)
        }
        return Response(status: .seeOther, headers: [.location: "/f/\(token)?tersimpan=1"])
    }

    /// The daemon's problems name the field in English; the atasan reads Indonesian.
    static func translateFollowup(_ problem: String) -> String {
        if problem.hasPrefix("held_on") {
            return "Tanggal dialog: isi tanggal yang valid, tidak setelah hari ini dan tidak sebelum tugas dibuat."
        }
        if problem.hasPrefix("action") { return "Tindakan yang disepakati: pilih salah satu." }
        if problem.hasPrefix("note") { return "Catatan terlalu panjang atau berisi karakter yang tidak diizinkan." }
        if problem.hasPrefix("next_check") { return "Tanggal pemeriksaan berikutnya: harus setelah tanggal dialog." }
        return "Hasil tidak dapat disimpan; periksa isian Anda."
    }
}
