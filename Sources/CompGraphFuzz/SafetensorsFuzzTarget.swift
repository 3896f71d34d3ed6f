import CompGraph
import Foundation

/// One fuzz input through the safetensors reader: `Safetensors.decode`
/// either throws a `SafetensorsError` whose message is cut as the CLI's are,
/// or returns tensors whose scalars fill their shapes and that survive
/// `encode` → `decode` bit for bit.  A crash, a sanitizer report or a
/// broken check is a finding.
enum SafetensorsFuzzTarget {
  /// The longest message a bad file may produce (the CLI cuts user text to
  /// fit lines of about this size).
  static let messageLimit = 2_000

  static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    let tensors: [String: Tensor]
    do {
      tensors = try Safetensors.decode(Data(buffer: bytes))
    } catch {
      guard error.message.utf8.count <= messageLimit else {
        fatalError("a \(error.message.utf8.count)-byte message: \(error.message.prefix(200))")
      }
      return
    }
    for (name, tensor) in tensors where tensor.scalars.count != tensor.shape.elementCount {
      fatalError("tensor '\(name)' has \(tensor.scalars.count) scalars for its shape")
    }
    guard let back = try? Safetensors.decode(Safetensors.encode(tensors)),
      back.keys.sorted() == tensors.keys.sorted(),
      back.allSatisfy({ name, tensor in
        tensor.shape == tensors[name]!.shape
          && tensor.scalars.map(\.bitPattern) == tensors[name]!.scalars.map(\.bitPattern)
      })
    else { fatalError("decoded tensors do not survive encode → decode") }
  }
}
