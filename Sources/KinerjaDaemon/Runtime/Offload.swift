import Foundation

/// Runs blocking database work on a dispatch queue, off the Swift concurrency pool, so a long
/// transaction never starves the control socket's other connections.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}

/// Hands memory freed by a large operation back to the system (see `AllocatorTuning`).
func releaseFreedMemory() {
    AllocatorTuning.releaseFreedMemory()
}
