import CompGraph
import Foundation

/// A line chart written as SVG text: several series, axes with ticks and
/// labels, a grid, a title (wrapped onto more lines, the picture growing
/// taller, when it is wider than the picture) and, for two or more series, a
/// legend (beside the plot or in a corner of it).
///
/// Each axis is linear or logarithmic.  A point that cannot be drawn (NaN,
/// ±∞, or ≤ 0 on a log axis) breaks its line: the series becomes one
/// `<polyline>` per unbroken run.  Lines leaving the axis ranges are clipped
/// to the plot area.  The text is deterministic: coordinates are written with
/// one decimal, series in the order given.
///
/// Ticks: a linear axis steps by 1, 2 or 5 × 10ᵏ (four to eight ticks); a log
/// axis ticks every decade 10ᵏ, labelled `1e-8`, `0.1`, `1`, `10`, `1e3`, and
/// labels every other (or every n-th) decade when there are many.
public struct LinePlot: Sendable {
  public enum Scale: Sendable { case linear, log }
  /// Where the legend goes: beside the plot, or in a corner inside it.
  public enum LegendPlacement: Sendable { case right, topLeft, topRight, bottomLeft, bottomRight }

  public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var dashed: Bool
    /// Drawn as a dot per point instead of a line.
    public var markers: Bool

    public init(
      _ name: String, x: [Double], y: [Double], dashed: Bool = false, markers: Bool = false
    ) {
      self.name = name
      self.points = Array(zip(x, y))
      self.dashed = dashed
      self.markers = markers
    }
  }

  /// A shaded region between two curves over the same x (a confidence band), drawn under the
  /// series and named in the legend after them.
  public struct Band: Sendable {
    public var name: String
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]

    public init(_ name: String, x: [Double], lower: [Double], upper: [Double]) {
      self.name = name
      self.x = x
      self.lower = lower
      self.upper = upper
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var xScale: Scale = .linear
  public var yScale: Scale = .linear
  /// The axis ranges; `nil` fits the drawable data (y with a 4% margin, a
  /// log axis widened to whole decades).
  public var xRange: ClosedRange<Double>? = nil
  public var yRange: ClosedRange<Double>? = nil
  public var legend = LegendPlacement.right
  public var width = 760
  public var height = 460
  public var series: [Series] = []
  public var bands: [Band] = []

  public init(title: String, xLabel: String, yLabel: String) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Line colours, in series order (then repeated).
  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  /// Writes the SVG text atomically: a failed write leaves no partial file.
  public func write(to url: URL) throws {
    try Data(svg().utf8).write(to: url, options: .atomic)
  }

  /// The SVG document.
  public func svg() -> String {
    let names = series.map(\.name) + bands.map(\.name)
    let legendSize = (
      width: 40 + (names.map { SVGText.width($0, fontSize: 13) }.max() ?? 0),
      height: 20 * Double(names.count) + 4
    )
    let showsLegend = names.count > 1
    let (left, right) = (
      72.0, Double(width) - (showsLegend && legend == .right ? legendSize.width + 30 : 20)
    )
    // The title is centred over the plot and wraps so that no line leaves the picture; each
    // extra line makes the picture 20 px taller.
    let centre = (left + right) / 2
    let titleLines = SVGText.wrapped(
      title, within: 2 * min(centre, Double(width) - centre) - 16, fontSize: 16, bold: true)
    let extra = 20 * Double(titleLines.count - 1)
    let fullHeight = Int(Double(height) + extra)
    let (top, bottom) = (40 + extra, Double(fullHeight - 52))
    let x = Axis(
      scale: xScale, range: xRange,
      values: series.flatMap { $0.points.map(\.x) } + bands.flatMap(\.x), padding: 0)
    let y = Axis(
      scale: yScale, range: yRange,
      values: series.flatMap { $0.points.map(\.y) } + bands.flatMap { $0.lower + $0.upper },
      padding: 0.04)
    let px = { (v: Double) in left + x.fraction(v) * (right - left) }
    let py = { (v: Double) in bottom - y.fraction(v) * (bottom - top) }
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(fullHeight)" \
      viewBox="0 0 \(width) \(fullHeight)" font-family="Helvetica, Arial, sans-serif" font-size="13">
      <rect width="100%" height="100%" fill="white"/>
      <clipPath id="plot"><rect x="\(f(left))" y="\(f(top))" width="\(f(right - left))" \
      height="\(f(bottom - top))"/></clipPath>

      """
    for tick in x.ticks {
      let p = f(px(tick.value))
      out +=
        "<line x1=\"\(p)\" y1=\"\(f(top))\" x2=\"\(p)\" y2=\"\(f(bottom + 5))\" stroke=\"#e4e4e4\"/>\n"
      if let label = tick.label {
        out += text(label, x: px(tick.value), y: bottom + 20, anchor: "middle")
      }
    }
    for tick in y.ticks {
      let p = f(py(tick.value))
      out +=
        "<line x1=\"\(f(left - 5))\" y1=\"\(p)\" x2=\"\(f(right))\" y2=\"\(p)\" stroke=\"#e4e4e4\"/>\n"
      if let label = tick.label {
        out += text(label, x: left - 8, y: py(tick.value) + 4, anchor: "end")
      }
    }
    let bandColour = { (k: Int) in Self.palette[(series.count + k) % Self.palette.count] }
    for (k, band) in bands.enumerated() {
      let outline = zip(band.x, band.upper) + zip(band.x, band.lower).reversed()
      let coordinates = outline.filter { x.canDraw($0.0) && y.canDraw($0.1) }
        .map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
      out +=
        "<polygon clip-path=\"url(#plot)\" fill=\"\(bandColour(k))\" fill-opacity=\"0.2\" stroke=\"none\" points=\"\(coordinates)\"/>\n"
    }
    out +=
      "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#333\"/>\n"
    let (lx, ly): (Double, Double) =
      switch legend {
      case .right: (right + 10, top)
      case .topLeft: (left + 8, top + 8)
      case .topRight: (right - legendSize.width - 8, top + 8)
      case .bottomLeft: (left + 8, bottom - legendSize.height - 8)
      case .bottomRight: (right - legendSize.width - 8, bottom - legendSize.height - 8)
      }
    if showsLegend && legend != .right {
      out +=
        "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(legendSize.width))\" height=\"\(f(legendSize.height))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
    }
    for (k, s) in series.enumerated() where s.markers {
      let colour = Self.palette[k % Self.palette.count]
      for point in s.points where x.canDraw(point.x) && y.canDraw(point.y) {
        out +=
          "<circle clip-path=\"url(#plot)\" cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(colour)\"/>\n"
      }
    }
    for (k, s) in series.enumerated() {
      let style =
        "fill=\"none\" stroke=\"\(Self.palette[k % Self.palette.count])\" stroke-width=\"2\""
        + (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
      for run in s.markers ? [] : runs(s, x, y) {
        let coordinates = run.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
        out += "<polyline clip-path=\"url(#plot)\" \(style) points=\"\(coordinates)\"/>\n"
      }
      guard showsLegend else { continue }
      let entry = ly + 12 + 20 * Double(k)
      out +=
        s.markers
        ? "<circle cx=\"\(f(lx + 18))\" cy=\"\(f(entry))\" r=\"3\" fill=\"\(Self.palette[k % Self.palette.count])\"/>\n"
        : "<line x1=\"\(f(lx + 6))\" y1=\"\(f(entry))\" x2=\"\(f(lx + 30))\" y2=\"\(f(entry))\" \(style)/>\n"
      out += text(s.name, x: lx + 36, y: entry + 4, anchor: "start")
    }
    for (k, band) in bands.enumerated() where showsLegend {
      let entry = ly + 12 + 20 * Double(series.count + k)
      out +=
        "<rect x=\"\(f(lx + 6))\" y=\"\(f(entry - 6))\" width=\"24\" height=\"12\" fill=\"\(bandColour(k))\" fill-opacity=\"0.2\"/>\n"
      out += text(band.name, x: lx + 36, y: entry + 4, anchor: "start")
    }
    for (k, line) in titleLines.enumerated() {
      out += text(
        line, x: centre, y: 24 + 20 * Double(k), anchor: "middle",
        extra: " font-size=\"16\" font-weight=\"bold\"")
    }
    out += text(xLabel, x: centre, y: bottom + 42, anchor: "middle")
    let middle = (top + bottom) / 2
    out += text(
      yLabel, x: 18, y: middle, anchor: "middle",
      extra: " transform=\"rotate(-90 18 \(f(middle)))\"")
    return out + "</svg>\n"
  }

  /// The unbroken runs of drawable points of a series.
  private func runs(_ s: Series, _ x: Axis, _ y: Axis) -> [[(x: Double, y: Double)]] {
    var runs: [[(x: Double, y: Double)]] = [[]]
    for point in s.points {
      if x.canDraw(point.x) && y.canDraw(point.y) {
        runs[runs.count - 1].append(point)
      } else if !runs[runs.count - 1].isEmpty {
        runs.append([])
      }
    }
    return runs.filter { !$0.isEmpty }
  }

  private func text(_ s: String, x: Double, y: Double, anchor: String, extra: String = "") -> String
  {
    "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\"\(extra)>\(SVGText.escaped(s))</text>\n"
  }

  /// A pixel coordinate with one decimal, kept within ±10⁵ so that a point
  /// far outside the range still writes as a plain number (it is clipped).
  private func f(_ v: Double) -> String { String(format: "%.1f", min(max(v, -1e5), 1e5)) }
}

extension LinePlot {
  /// The mean of each value and the `window − 1` before it (fewer at the start): a loss curve
  /// smoothed as the examples draw it, mᵢ = (1/|Wᵢ|) Σ_{j ∈ Wᵢ} vⱼ with Wᵢ = [max(0, i − w + 1), i].
  public static func trailingMean(_ values: [Double], window: Int) -> [Double] {
    values.indices.map { k in
      let slice = values[max(0, k - window + 1)...k]
      return slice.reduce(0, +) / Double(slice.count)
    }
  }
}

/// One axis: its scale, range (in scale units: log₁₀ for a log axis) and ticks.
private struct Axis {
  let scale: LinePlot.Scale
  let low: Double, high: Double
  let ticks: [(value: Double, label: String?)]

  /// A fitted linear axis is widened by `padding` × its extent on each side;
  /// a fitted log axis out to whole decades.
  init(scale: LinePlot.Scale, range: ClosedRange<Double>?, values: [Double], padding: Double) {
    self.scale = scale
    let t = { (v: Double) in scale == .log ? log10(v) : v }
    let drawable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }.map(t)
    var low = range.map { t($0.lowerBound) } ?? drawable.min() ?? 0
    var high = range.map { t($0.upperBound) } ?? drawable.max() ?? 1
    if high <= low { (low, high) = (low - 1, high + 1) }
    switch scale {
    case .log:
      if range == nil { (low, high) = (floor(low), ceil(high)) }
      let decades = Array(Int(ceil(low - 1e-9))...Int(floor(high + 1e-9)))
      let every = max(1, (decades.count + 8) / 9)
      ticks = decades.map { k in (pow(10, Double(k)), k % every == 0 ? Self.decadeLabel(k) : nil) }
    case .linear:
      if range == nil {
        (low, high) = (low - padding * (high - low), high + padding * (high - low))
      }
      let raw = (high - low) / 8
      let magnitude = pow(10, floor(log10(raw)))
      let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
      let digits = max(0, -Int(floor(log10(step))))
      ticks = stride(from: ceil(low / step - 1e-9), through: floor(high / step + 1e-9), by: 1).map {
        i in
        let label = String(format: "%.\(digits)f", i * step)
        return (
          i * step,
          label.allSatisfy { "-0.".contains($0) } ? String(label.drop { $0 == "-" }) : label
        )
      }
    }
    (self.low, self.high) = (low, high)
  }

  func canDraw(_ v: Double) -> Bool { v.isFinite && (scale == .linear || v > 0) }

  /// Where `v` lies between the ends of the axis, 0…1.
  func fraction(_ v: Double) -> Double {
    ((scale == .log ? log10(v) : v) - low) / (high - low)
  }

  /// `1e-8`, `0.01`, `0.1`, `1`, `10`, `100`, `1e3`.
  static func decadeLabel(_ k: Int) -> String {
    switch k {
    case -2...(-1): "0." + String(repeating: "0", count: -k - 1) + "1"
    case 0...2: "1" + String(repeating: "0", count: k)
    default: "1e\(k)"
    }
  }
}
