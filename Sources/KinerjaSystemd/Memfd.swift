import Glibc

/// memfd_create(2) and file sealing, which the C library declares only under `_GNU_SOURCE`
/// and Swift's Glibc module therefore does not import. The constants are Linux's stable ABI
/// (`<linux/memfd.h>`, `<linux/fcntl.h>`); the function is looked up in the C library.
enum Memfd {
    static let cloexec: UInt32 = 0x0001          // MFD_CLOEXEC
    static let allowSealing: UInt32 = 0x0002     // MFD_ALLOW_SEALING
    static let addSeals: Int32 = 1024 + 9        // F_ADD_SEALS = F_LINUX_SPECIFIC_BASE + 9
    static let sealSeal: Int32 = 0x0001          // F_SEAL_SEAL
    static let sealShrink: Int32 = 0x0002        // F_SEAL_SHRINK
    static let sealGrow: Int32 = 0x0004          // F_SEAL_GROW
    static let sealWrite: Int32 = 0x0008         // F_SEAL_WRITE

    private typealias CreateFunction = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32

    /// A new memfd with sealing allowed and `FD_CLOEXEC` set.
    static func create(name: String) throws(SystemdError) -> Int32 {
        guard let symbol = dlsym(nil, "memfd_create") else {
            throw SystemdError(.journalSend, "the C library has no memfd_create")
        }
        let create = unsafeBitCast(symbol, to: CreateFunction.self)
        let fd = create(name, cloexec | allowSealing)
        if fd < 0 {
            throw SystemdError(.journalSend, "memfd_create(\"\(name)\") failed", errno: errno)
        }
        return fd
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(SystemdError) {
        let failure: Int32 = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if failure != 0 {
            throw SystemdError(.journalSend, "writing \(bytes.count) bytes to a memfd for \(path) failed", errno: failure)
        }
    }

    /// Calls `body` with an `SCM_RIGHTS` control message carrying `fd` and its length
    /// (`CMSG_SPACE(sizeof(int))`), ready for `msghdr.msg_control`.
    static func withRightsControlMessage<Result>(
        carrying fd: Int32,
        _ body: (UnsafeMutableRawPointer, Int) -> Result
    ) -> Result {
        let headerSize = align(MemoryLayout<cmsghdr>.size)                 // CMSG_ALIGN(sizeof(cmsghdr))
        let space = headerSize + align(MemoryLayout<Int32>.size)          // CMSG_SPACE(sizeof(int))
        let control = UnsafeMutableRawBufferPointer.allocate(
            byteCount: space,
            alignment: MemoryLayout<cmsghdr>.alignment
        )
        defer { control.deallocate() }
        control.initializeMemory(as: UInt8.self, repeating: 0)
        let header = control.baseAddress!.bindMemory(to: cmsghdr.self, capacity: 1)
        header.pointee.cmsg_len = headerSize + MemoryLayout<Int32>.size   // CMSG_LEN(sizeof(int))
        header.pointee.cmsg_level = SOL_SOCKET
        header.pointee.cmsg_type = Int32(SCM_RIGHTS)
        control.storeBytes(of: fd, toByteOffset: headerSize, as: Int32.self)
        return body(control.baseAddress!, space)
    }

    private static func align(_ size: Int) -> Int {
        let word = MemoryLayout<Int>.size
        return (size + word - 1) & ~(word - 1)
    }
}
