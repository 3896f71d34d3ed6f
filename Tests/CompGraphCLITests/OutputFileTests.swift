import Foundation
import Testing

/// `-o`: regular files are replaced atomically keeping their permissions,
/// anything else is written through, symbolic links are followed, and
/// failures name their real cause.
@Suite struct OutputFileTests {
  private func fileType(_ url: URL) throws -> FileAttributeType? {
    try FileManager.default.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType
  }

  /// A link to a character device is written through: the link and the
  /// device stay what they are.
  @Test func devicesAreWrittenThrough() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let null = directory.appendingPathComponent("null.svg")
    try FileManager.default.createSymbolicLink(atPath: null.path, withDestinationPath: "/dev/null")
    #expect(try compgraph("render", "x", "-o", null.path) == Run(status: 0, stdout: "", stderr: ""))
    #expect(try fileType(null) == .typeSymbolicLink)
    #expect(try fileType(URL(fileURLWithPath: "/dev/null")) == .typeCharacterSpecial)
    let full = directory.appendingPathComponent("full.dot")
    try FileManager.default.createSymbolicLink(atPath: full.path, withDestinationPath: "/dev/full")
    #expect(
      try compgraph("render", "x", "-o", full.path)
        == Run(
          status: 1, stdout: "",
          stderr: "compgraph: error: cannot write '\(full.path)': No space left on device\n"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 2)
  }

  /// A FIFO receives the bytes and stays a FIFO.
  @Test func fifosAreWrittenThrough() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try shell(
      "mkfifo pipe.dot && (cat pipe.dot > got.dot &) && $CG render x -o pipe.dot && sleep 0.2 "
        + "&& test -p pipe.dot && $CG render x --format dot", in: directory)
    #expect(run.status == 0)
    let got = try String(contentsOf: directory.appendingPathComponent("got.dot"), encoding: .utf8)
    #expect(got == run.stdout)
  }

  /// `-o -` is standard output.
  @Test func dashIsStandardOutput() throws {
    let dot = try compgraph("render", "x", "--format", "dot")
    #expect(try compgraph("render", "x", "--format", "dot", "-o", "-") == dot)
    #expect(dot.stdout.hasPrefix("digraph"))
  }

  /// A symbolic link is followed: the target changes, the link stays; the
  /// target keeps its permissions.
  @Test func symbolicLinksAreFollowedAndPermissionsKept() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("target.dot")
    try "old".write(to: target, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target.path)
    let link = directory.appendingPathComponent("link.dot")
    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target.dot")
    #expect(try compgraph("render", "x", "-o", link.path).status == 0)
    #expect(try fileType(link) == .typeSymbolicLink)
    let written = try String(contentsOf: target, encoding: .utf8)
    #expect(written == (try compgraph("render", "x", "--format", "dot").stdout))
    let permissions = try FileManager.default.attributesOfItem(atPath: target.path)[
      .posixPermissions]
    #expect(permissions as? Int == 0o640)
    let dangling = directory.appendingPathComponent("dangling.dot")
    try FileManager.default.createSymbolicLink(
      atPath: dangling.path, withDestinationPath: "missing/x.dot")
    let refused = try compgraph("render", "x", "-o", dangling.path)
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("is a symbolic link whose target cannot be resolved"))
  }

  /// Long names work up to the file system's limit, then say so; a missing
  /// directory and a directory target say so.
  @Test func realCausesAreNamed() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let long = directory.appendingPathComponent(String(repeating: "a", count: 230) + ".dot")
    #expect(try compgraph("render", "x", "-o", long.path).status == 0)
    let tooLong = directory.appendingPathComponent(String(repeating: "a", count: 256) + ".dot")
    #expect(
      try compgraph("render", "x", "-o", tooLong.path).stderr
        == "compgraph: error: cannot write '\(tooLong.path)': File name too long\n")
    let missing = directory.appendingPathComponent("missing/x.dot")
    #expect(
      try compgraph("render", "x", "-o", missing.path).stderr
        == "compgraph: error: cannot write '\(missing.path)': the directory "
        + "'\(missing.deletingLastPathComponent().path)' does not exist\n")
    #expect(
      try compgraph("render", "x", "-o", directory.path).stderr
        == "compgraph: error: cannot write '\(directory.path)': it is a directory\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
  }

  /// A temporary file left by a killed run is removed by the next write
  /// into its directory.
  @Test func temporaryFilesAreCleanedUp() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    let stale = directory.appendingPathComponent(
      ".compgraph-\(finished.processIdentifier)-abcdef.tmp")
    try "partial".write(to: stale, atomically: false, encoding: .utf8)
    #expect(
      try compgraph("render", "x", "-o", directory.appendingPathComponent("x.dot").path).status == 0
    )
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["x.dot"])
  }

  /// `gallery` draws every source before writing any: a bad source leaves
  /// the directory as it was.
  @Test func galleryWritesNothingWhenASourceIsBad() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "out f = x * y\n".write(
      to: directory.appendingPathComponent("a.cg"), atomically: false, encoding: .utf8)
    try "out f = sqr(x)\n".write(
      to: directory.appendingPathComponent("b.cg"), atomically: false, encoding: .utf8)
    let run = try compgraph("gallery", directory.path)
    #expect(run.status == 1)
    #expect(run.stderr.contains("unknown function 'sqr'"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "a.cg", "b.cg",
      ])
  }
}
