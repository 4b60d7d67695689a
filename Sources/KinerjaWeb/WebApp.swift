import Foundation
import HTTPTypes
import Hummingbird
import KinerjaDaemon
import KinerjaDomain
import Logging
import NIOCore
import Varlink

/// The request context: Hummingbird's, plus the TCP peer's address (for the rate limits).
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}

/// What the web front needs from the configuration, and its moving parts.
public struct WebFront: Sendable {
    public let config: DaemonConfig.Web
    public let zone: TimeZone
    public let pages: Pages
    public let client: ReviewClient
    public let signer: Signer
    let perIP: RateLimiter
    let perToken: RateLimiter
    let logger: Logger
    let now: @Sendable () -> Date

    public init(config: DaemonConfig, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.config = config.web
        self.zone = config.cycles.zone
        self.pages = try Pages(contact: config.web.contact)
        self.client = ReviewClient(path: config.web.socket)
        self.signer = Signer()
        self.perIP = RateLimiter(limit: config.web.rateLimitPerMinute)
        // A token is one person's (or one counter's): a tenth of the per-IP budget, at least 10.
        self.perToken = RateLimiter(limit: max(10, config.web.rateLimitPerMinute / 2))
        self.logger = logger
        self.now = now
    }

    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.addMiddleware { WebHeaders(front: self) }
        router.get("/static/style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Pages.stylesheet)))
        }
        router.get("/") { _, _ in
            self.html(.ok, self.pages.message(title: "Kinerja ASN", heading: "Penilaian Kinerja ASN Kota Bandung",
                                              paragraphs: ["Buka tautan pribadi dari surel pengingat Anda untuk mengisi penilaian, "
                                                           + "atau pindai kode QR di loket pelayanan untuk mengisi survei."]))
        }
        router.get("/r/:token") { request, context in try await self.reviewerPage(request, context, notice: nil, errors: [], status: .ok) }
        router.post("/r/:token") { request, context in try await self.submitReview(request, context) }
        router.get("/s/:token") { request, context in try await self.surveyPage(request, context) }
        router.post("/s/:token") { request, context in try await self.submitSurvey(request, context) }
        router.get("/f/:token") { request, context in try await self.followupPage(request, context, notice: nil, errors: [], status: .ok) }
        router.post("/f/:token") { request, context in try await self.recordFollowup(request, context) }
        return router
    }

    // MARK: Responses

    func html(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func invalidLink() -> Response { html(.notFound, pages.invalidLink()) }

    func unavailable(_ error: any Error) -> Response {
        logger.error("kinerjad cannot be reached on \(config.socket): \(error)")
        return html(.serviceUnavailable, pages.message(
            title: "Layanan tidak tersedia", heading: "Layanan sedang tidak tersedia",
            paragraphs: ["Maaf, penilaian tidak dapat diproses saat ini. Silakan coba lagi beberapa saat lagi.", "Hubungi: \(config.contact)."]))
    }

    /// Runs a daemon call, mapping InvalidToken to the one invalid-link page and an unreachable daemon to 503.
    func withDaemon(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.InvalidToken" {
            return invalidLink()
        } catch {
            return unavailable(error)
        }
    }

    func token(_ context: WebContext) -> String { context.parameters.get("token") ?? "" }

    func form(_ request: Request, _ context: WebContext) async throws -> FormFields? {
        let body = try await request.body.collect(upTo: config.maxBodySize)
        return (try? FormDecoder.decode(body.readableBytesView)).map(FormFields.init)
    }

    // MARK: Reviewer

    func reviewerPage(_ request: Request, _ context: WebContext, notice: String?, errors: [String],
                      status: HTTPResponse.Status) async throws -> Response {
        let token = token(context)
        let saved = request.uri.queryParameters.get("tersimpan").flatMap { Int64($0) }
        return await withDaemon {
            let reply = try await client.call("GetReviewerPage", ["token": .string(token)])
            return html(status, pages.reviewer(reply, token: token, csrf: signer.formValue(token: token), notice: notice, errors: errors,
                                               saved: saved))
        }
    }

    func submitReview(_ request: Request, _ context: WebContext) async throws -> Response {
        let token = token(context)
        guard let form = try await form(request, context) else {
            return html(.badRequest, pages.message(title: "Permintaan tidak sah", heading: "Permintaan tidak dapat dibaca", paragraphs: []))
        }
        guard let csrf = form["csrf"], signer.verify("form", token, csrf) else { return forbidden() }
        var problems: [String] = []
        var scores: [String: JSONValue] = [:]
        for value in PageTexts.values {
            if let n = form[value.field].flatMap(Int.init), (1...5).contains(n) {
                scores[value.field] = .int(Int64(n))
            } else {
                problems.append("Pilih nilai 1 sampai 5 untuk \(value.name).")
            }
        }
        guard let id = form["assignment"].flatMap(Int64.init) else {
            return html(.badRequest, pages.message(title: "Permintaan tidak sah", heading: "Penilaian tidak dikenali", paragraphs: []))
        }
        var parameters: [String: JSONValue] = ["token": .string(token), "assignment_id": .int(id), "scores": .object(scores)]
        if let hasil = form["hasil_kerja"], !hasil.isEmpty { parameters["hasil_kerja"] = .string(hasil) }
        if let comment = form["comment"]?.trimmingCharacters(in: .whitespacesAndNewlines), !comment.isEmpty {
            parameters["comment"] = .string(comment)
        }
        guard problems.isEmpty else { return try await reviewerPage(request, context, notice: nil, errors: problems, status: .unprocessableContent) }
        do {
            _ = try await client.call("SubmitReview", parameters)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.InvalidInput" {
            let problems = (error.parameters["problems"]?.arrayValue ?? []).compactMap(\.stringValue).map(Self.translate)
            return try await reviewerPage(request, context, notice: nil, errors: problems, status: .unprocessableContent)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.ReadOnly" {
            return try await reviewerPage(request, context, notice: "Penilaian ini tidak dapat diubah lagi: batas waktu sudah lewat atau periode sudah ditutup.",
                                          errors: [], status: .conflict)
        } catch let error as VarlinkError where error.name == "io.kinerjad.Review.InvalidToken" {
            return invalidLink()
        } catch {
            return unavailable(error)
        }
        // Post/Redirect/Get: a reload does not send the form again.
        return Response(status: .seeOther, headers: [.location: "/r/\(token)?tersimpan=\(id)#a\(id)"])
    }

    /// The daemon's problems are English and name parameters; the reviewer reads Indonesian.
    static func translate(_ problem: String) -> String {
        if problem.hasPrefix("hasil_kerja") { return "Hasil kerja: pilih salah satu (hanya untuk penilaian oleh atasan)." }
        if problem.hasPrefix("comment") { return "Komentar terlalu panjang." }
        if problem.hasPrefix("assignment_id") { return "Penilaian ini bukan milik tautan Anda." }
        return "Penilaian tidak dapat disimpan; periksa isian Anda."
    }

    func forbidden() -> Response {
        html(.forbidden, pages.message(title: "Formulir kedaluwarsa", heading: "Formulir tidak dapat dikirim",
                                       paragraphs: ["Formulir ini tidak berasal dari halaman penilaian Anda atau sudah kedaluwarsa. "
                                                    + "Muat ulang halaman, lalu isi dan kirim kembali."]))
    }

    // MARK: Survey

    func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: now())
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// The survey cookie (path-scoped to the link) says this browser answered `unit` on `day`.
    func answeredToday(_ request: Request, unit: String) -> Bool {
        guard let value = request.cookies["skm"]?.value else { return false }
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == today() else { return false }
        return signer.verify("survey", "\(unit)|\(parts[0])", parts[1])
    }

    func alreadyAnswered() -> Response {
        html(.ok, pages.message(title: "Terima kasih", heading: "Anda sudah mengisi survei ini hari ini",
                                paragraphs: ["Terima kasih atas penilaian Anda. Survei unit ini dapat diisi sekali sehari dari satu perangkat."]))
    }

    func surveyPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let token = token(context)
        return await withDaemon {
            let reply = try await client.call("GetSurvey", ["token": .string(token)])
            if answeredToday(request, unit: reply["unit"]?.stringValue ?? "") { return alreadyAnswered() }
            return html(.ok, pages.survey(reply, token: token, csrf: signer.formValue(token: token), maxSuggestion: 1000, errors: []))
        }
    }

    func submitSurvey(_ request: Request, _ context: WebContext) async throws -> Response {
        let token = token(context)
        guard let form = try await form(request, context) else {
            return html(.badRequest, pages.message(title: "Permintaan tidak sah", heading: "Permintaan tidak dapat dibaca", paragraphs: []))
        }
        guard let csrf = form["csrf"], signer.verify("form", token, csrf) else { return forbidden() }
        let thanks = html(.ok, pages.message(title: "Terima kasih", heading: "Terima kasih",
                                             paragraphs: ["Jawaban Anda sudah kami terima dan akan dipakai untuk memperbaiki pelayanan."]))
        // The honeypot: people do not see the field, form-filling robots do. Answer as if stored.
        if let trap = form["website"], !trap.isEmpty {
            logger.notice("Survey honeypot filled; response dropped")
            return thanks
        }
        return await withDaemon {
            let survey = try await client.call("GetSurvey", ["token": .string(token)])
            let unit = survey["unit"]?.stringValue ?? ""
            if answeredToday(request, unit: unit) { return alreadyAnswered() }
            var answers: [JSONValue] = []
            var problems: [String] = []
            for element in PageTexts.survey {
                if let n = form[element.field].flatMap(Int.init), (1...4).contains(n) { answers.append(.int(Int64(n))) } else {
                    problems.append("Pilih satu jawaban untuk \(element.name).")
                }
            }
            let suggestion = form["suggestion"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if suggestion.count > 1000 { problems.append("Saran paling banyak 1000 karakter.") }
            var respondent: [String: String] = [:]
            switch SKMRespondent.parse({ form[$0] }) {
            case .success(let r): respondent = r.given
            case .failure(let failure):
                problems += failure.problems.map { p in
                    p.field == SKMRespondent.serviceField
                        ? "Jenis layanan paling banyak \(SKMRespondent.serviceMaxLength) karakter, dalam satu baris."
                        : "Pilihan untuk \(SKMRespondent.questions.first { $0.field == p.field }?.label ?? p.field) tidak dikenal."
                }
            }
            guard problems.isEmpty else {
                return html(.unprocessableContent, pages.survey(survey, token: token, csrf: csrf, maxSuggestion: 1000, errors: problems))
            }
            var parameters: [String: JSONValue] = ["token": .string(token), "answers": .array(answers)]
            if !suggestion.isEmpty { parameters["suggestion"] = .string(suggestion) }
            if !respondent.isEmpty { parameters["respondent"] = .object(respondent.mapValues { .string($0) }) }
            _ = try await client.call("SubmitSurvey", parameters)
            let day = today()
            let cookie = "skm=\(day).\(signer.sign("survey", "\(unit)|\(day)")); Path=/s/\(token); Max-Age=86400; HttpOnly; SameSite=Strict"
            var response = thanks
            response.headers[.setCookie] = cookie
            return response
        }
    }
}

/// Every response: the security headers, no caching of pages (the token is in the URL), the per-IP
/// and per-token rate limits (429), and Hummingbird's own errors (404, 413) as pages.
struct WebHeaders: RouterMiddleware {
    typealias Context = WebContext
    let front: WebFront

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        let client = ClientAddress.resolve(peer: context.peer, forwardedFor: request.headers[.xForwardedFor],
                                           trustedProxies: Set(front.config.trustedProxies))
        let path = request.uri.path
        let tokenKey = path.hasPrefix("/r/") || path.hasPrefix("/s/") || path.hasPrefix("/f/") ? String(path.prefix(3 + 43)) : nil
        let now = front.now()
        let ipAllowed = path.hasPrefix("/static/") || front.perIP.allow(client, now: now)
        let tokenAllowed = path.hasPrefix("/static/") || !ipAllowed || (tokenKey.map { front.perToken.allow($0, now: now) } ?? true)
        if !ipAllowed || !tokenAllowed {
            front.logger.notice("Rate limit reached; answered 429", metadata: [
                "message_id": "\(MessageIDs.webRateLimited)", "client": "\(client)", "limit": "\(ipAllowed ? "token" : "ip")",
            ])
            response = front.html(.tooManyRequests, front.pages.message(
                title: "Terlalu banyak permintaan", heading: "Terlalu banyak permintaan",
                paragraphs: ["Mohon tunggu sekitar satu menit, lalu coba lagi."]), headers: [.retryAfter: "60"])
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                let status = error.status
                let text = status == .notFound ? front.pages.invalidLink()
                    : front.pages.message(title: "Permintaan ditolak", heading: "Permintaan tidak dapat diproses",
                                          paragraphs: [status == .contentTooLarge ? "Isian terlalu panjang." : "Silakan coba lagi."])
                response = front.html(status, text)
            }
        }
        var headers = response.headers
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        response.headers = headers
        return response
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
