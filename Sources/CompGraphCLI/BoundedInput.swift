import Foundation

/// Reading input (standard input, `-f FILE`, `--at x=@FILE`) with a size
/// limit: a read never grows without bound (`< /dev/zero`), and what
/// cannot be read (a directory) is an error naming the cause.
enum BoundedInput {
  /// The input limit unless `--max-input` raises it.
  static let defaultLimit = ByteCount(bytes: 64 << 20)

  /// The bytes of `path` (standard input when `nil`), with a leading UTF-8
  /// byte-order mark removed.  `name` names the source in messages, after
  /// `context` (`--at x: `).
  static func read(_ path: String?, name: String, context: String = "", limit: ByteCount)
    throws -> Data
  {
    let descriptor = path.map { open($0, O_RDONLY | O_CLOEXEC) } ?? STDIN_FILENO
    guard descriptor >= 0 else {
      throw UserError("\(context)cannot read \(name): \(String(cString: strerror(errno)))")
    }
    defer { if path != nil { close(descriptor) } }
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes {
        Foundation.read(descriptor, $0.baseAddress!, $0.count)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw UserError("\(context)cannot read \(name): \(String(cString: strerror(errno)))")
      }
      if count == 0 { break }
      guard data.count + count <= limit.bytes else {
        throw UserError(
          "\(context)\(name) is larger than \(limit), the input limit; raise it with "
            + "--max-input (e.g. --max-input \(ByteCount(bytes: limit.bytes * 4)))")
      }
      data.append(contentsOf: chunk[..<count])
    }
    if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
    return data
  }
}
