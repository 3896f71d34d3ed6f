import Foundation

/// The cores that parallel loops split across, asked once: on Linux,
/// Foundation reads the count from files at every call (about 20 µs).
let processorCount = ProcessInfo.processInfo.activeProcessorCount
